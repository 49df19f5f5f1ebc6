// Trusted documents: a second jiedao process (own database and demo data) started with
// JIEDAO_TRUSTED_DOCUMENTS = the persisted-documents.json codegen wrote. A client that sends
// only each document's generated hash (`__meta__.hash`, `sha256:…`) gets data; a query text
// not in the manifest is refused with PERSISTED_QUERY_NOT_ALLOWED.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import type { TypedDocumentNode } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';

import { data, errorCodes, httpClient, LogIn } from '../client.js';
import { graphql } from '../gql/index.js';
import { DEMO, startOwnJiedao, type OwnJiedao } from '../jiedao.js';

// The same path from src/cases/ and from dist/cases/.
const MANIFEST = fileURLToPath(new URL('../../src/gql/persisted-documents.json', import.meta.url));

const TrustedMe = graphql(`
  query TrustedMe {
    me {
      username
    }
  }
`);

/** The hash codegen gave a generated document; none for a hand-written one (sent as text). */
async function generatedHash(_query: string, document: TypedDocumentNode): Promise<string | undefined> {
  return (document as { __meta__?: { hash?: string } }).__meta__?.hash;
}

/** Only hashes, never an automatic retry with the text (that is what trusted documents forbid). */
const byHashOnly = () =>
  persistedExchange({
    generateHash: generatedHash,
    enforcePersistedQueries: true,
    enableForMutation: true,
    preferGetForPersistedQueries: true,
  });

describe('trusted documents', () => {
  let own: OwnJiedao | undefined;

  before(async () => {
    own = await startOwnJiedao({ JIEDAO_TRUSTED_DOCUMENTS: MANIFEST });
  });

  after(async () => {
    await own?.stop();
  });

  async function logInByHash(): Promise<string> {
    assert.ok(own);
    const anonymous = await httpClient({ base: own.base, exchanges: [byHashOnly()] });
    const [username, password] = DEMO.xingfuStaff;
    const result = await anonymous.mutation(LogIn, { input: { username, password } });
    return data(result, 'login by hash').login.accessToken;
  }

  test('a registered document sent as its hash alone gets data', async () => {
    assert.ok(own);
    const accessToken = await logInByHash();
    const client = await httpClient({ base: own.base, accessToken, exchanges: [byHashOnly()] });
    const { me } = data(await client.query(TrustedMe, {}), 'me by hash');
    assert.equal(me.username, 'demo.xingfu.staff');
  });

  test('a query text not in the manifest is PERSISTED_QUERY_NOT_ALLOWED', async () => {
    assert.ok(own);
    const accessToken = await logInByHash();
    const client = await httpClient({ base: own.base, accessToken, exchanges: [byHashOnly()] });
    // A plain string, so codegen does not pick it up into the manifest.
    const result = await client.query('query NotInManifest { me { username grants { role } } }', {});
    assert.equal(result.data, undefined);
    assert.deepEqual(errorCodes(result), ['PERSISTED_QUERY_NOT_ALLOWED']);
  });
});
