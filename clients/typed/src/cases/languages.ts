// Error messages in the client's language: `Accept-Language: zh-CN` gives Simplified
// Chinese, no header English, and `extensions.code` is the same in both (branch on it).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { data, errorCodes, httpClient, logIn } from '../client.js';
import { graphql } from '../gql/index.js';

const LanguageCompounds = graphql(`
  query LanguageCompounds {
    compounds {
      nodes {
        id
      }
    }
  }
`);

const LanguageCompound = graphql(`
  query LanguageCompound($id: ID!) {
    compound(id: $id) {
      name
    }
  }
`);

const HAN = /\p{Script=Han}/u;

test('Accept-Language: zh-CN gives a NOT_FOUND in Chinese, no header the same code in English', async () => {
  const staff = await logIn('xingfuStaff');
  const outsider = await logIn('guangmingAdmin');
  const theirs = data(await staff.client.query(LanguageCompounds, {}), 'compounds as 幸福里社区 staff');
  const id = theirs.compounds.nodes[0]?.id;
  assert.ok(id, '幸福里社区 has a compound');

  const chinese = await httpClient({
    accessToken: outsider.accessToken,
    headers: { 'accept-language': 'zh-CN,zh;q=0.9' },
  });
  const inChinese = await chinese.query(LanguageCompound, { id });
  assert.deepEqual(errorCodes(inChinese), ['NOT_FOUND']);
  const zh = inChinese.error?.graphQLErrors[0]?.message ?? '';
  assert.match(zh, HAN, `a Chinese message, got ${JSON.stringify(zh)}`);

  const english = await httpClient({ accessToken: outsider.accessToken });
  const inEnglish = await english.query(LanguageCompound, { id });
  assert.deepEqual(errorCodes(inEnglish), ['NOT_FOUND']);
  const en = inEnglish.error?.graphQLErrors[0]?.message ?? '';
  assert.doesNotMatch(en, HAN, `an English message, got ${JSON.stringify(en)}`);
  assert.match(en, /not found/i);
  assert.notEqual(zh, en);
});
