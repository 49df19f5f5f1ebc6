// persisted-documents.json, written by codegen's client preset, is what trusted documents
// load: each key is a GraphQL-over-HTTP document identifier, `sha256:` and the hex SHA-256
// of its text (the preset's normalised print), and every document the client sends is in
// it under the hash its generated node carries (`__meta__.hash`).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import * as documents from '../gql/graphql.js';

// The same path from src/cases/ and from dist/cases/.
const MANIFEST = new URL('../../src/gql/persisted-documents.json', import.meta.url);

test('persisted-documents.json: sha256: keys, one per document the client sends', () => {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
  for (const [hash, text] of Object.entries(manifest)) {
    const id = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    assert.equal(id, hash, `the key of ${text.slice(0, 40)}…`);
  }
  const hashes = Object.entries(documents)
    .filter(([name]) => name.endsWith('Document'))
    .map(([name, node]) => [name, (node as { __meta__?: { hash?: string } }).__meta__?.hash] as const);
  const names = hashes.map(([name]) => name);
  assert.ok(names.includes('LogInDocument'), `the generated documents: ${names.join(', ')}`);
  for (const [name, hash] of hashes) {
    assert.ok(hash && hash in manifest, `${name} is in persisted-documents.json under its __meta__.hash`);
  }
  assert.equal(Object.keys(manifest).length, hashes.length);
});
