// Automatic persisted queries with urql's persistedExchange, watched on the wire: a fresh
// document's hash is a miss, the exchange sends the text once, and from then on the hash
// alone (as GET) gets the data. Then a "load more" walk over meetingsOfCompound through the
// same client, with its enum field typed.
// Schedules two bench meetings of 和韵小区 (in the future; the demo meeting is untouched).

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { persistedExchange } from '@urql/exchange-persisted';

import { data, httpClient, logIn } from '../client.js';
import type { MeetingsPageQuery, MeetingStatus, ScheduleMeetingInput } from '../gql/graphql.js';
import { graphql } from '../gql/index.js';

const ApqCompounds = graphql(`
  query ApqCompounds {
    compounds {
      totalCount
      nodes {
        id
        name
      }
    }
  }
`);

const ScheduleBench = graphql(`
  mutation ScheduleBench($input: ScheduleMeetingInput!) {
    scheduleMeeting(input: $input) {
      meeting {
        id
        status
      }
    }
  }
`);

const MeetingsPage = graphql(`
  query MeetingsPage($compoundId: ID!, $first: Int!, $after: String) {
    meetingsOfCompound(compoundId: $compoundId, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          title
          status
        }
      }
    }
  }
`);

/** One request as it went out, and the JSON that came back. */
interface Sent {
  method: string;
  /** The query text, if the request carried one. */
  query: string | undefined;
  sha256Hash: string | undefined;
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

/** A `fetch` for urql that records every request it sends and the answer. */
function wire(): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = new URL(String(input));
    let query: string | undefined;
    let extensions: unknown;
    if (method === 'GET') {
      query = url.searchParams.get('query') ?? undefined;
      const raw = url.searchParams.get('extensions');
      extensions = raw ? JSON.parse(raw) : undefined;
    } else {
      const body = JSON.parse(String(init?.body)) as { query?: string; extensions?: unknown };
      query = body.query;
      extensions = body.extensions;
    }
    const persisted = (extensions as { persistedQuery?: { sha256Hash?: string } } | undefined)?.persistedQuery;
    const response = await fetch(input, init);
    const body = (await response.clone().json()) as Sent['body'];
    sent.push({ method, query, sha256Hash: persisted?.sha256Hash, status: response.status, body });
    return response;
  };
  return { fetch: recording, sent };
}

test('APQ: a fresh document is a miss, then its text registers it, then the hash alone gets data over GET', async () => {
  const { accessToken } = await logIn('xingfuStaff');
  const { fetch, sent } = wire();
  const client = await httpClient({
    accessToken,
    exchanges: [persistedExchange({ preferGetForPersistedQueries: true })],
    fetch,
  });

  const first = data(await client.query(ApqCompounds, {}), 'compounds, first time');
  assert.equal(first.compounds.totalCount, 2);
  assert.equal(sent.length, 2, 'the miss and the retry with the text');
  const [miss, retry] = sent;
  assert.ok(miss && retry);
  assert.equal(miss.method, 'GET');
  assert.equal(miss.query, undefined, 'the first request carries only the hash');
  assert.match(miss.sha256Hash ?? '', /^[0-9a-f]{64}$/);
  assert.equal(miss.status, 200);
  assert.deepEqual(
    miss.body.errors?.map((e) => [e.extensions?.code, e.message]),
    [['PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound']],
  );
  assert.ok(retry.query?.includes('ApqCompounds'), 'the retry carries the text');
  assert.equal(retry.sha256Hash, miss.sha256Hash);
  assert.equal(retry.sha256Hash, createHash('sha256').update(retry.query ?? '').digest('hex'));
  assert.equal(retry.body.errors, undefined);

  sent.length = 0;
  const again = data(await client.query(ApqCompounds, {}), 'compounds, by hash');
  assert.equal(sent.length, 1, 'one request, no retry');
  const [byHash] = sent;
  assert.ok(byHash);
  assert.equal(byHash.method, 'GET');
  assert.equal(byHash.query, undefined, 'no query text on the wire');
  assert.equal(byHash.sha256Hash, miss.sha256Hash);
  assert.equal(byHash.body.errors, undefined);
  assert.deepEqual(byHash.body.data, first);
  assert.deepEqual(again, first);
});

/** Every value of the generated type: adding or dropping one in the schema fails tsc here. */
const STATUS_LABEL: Record<MeetingStatus, string> = {
  SCHEDULED: '待召开',
  OPEN: '进行中',
  CLOSED: '已结束',
  CANCELLED: '已取消',
};

test('meetingsOfCompound: pages of 2 by hash, latest first, statuses typed as MeetingStatus', async () => {
  const { client: staff, accessToken } = await logIn('xingfuStaff');
  const compounds = data(await staff.query(ApqCompounds, {}), 'compounds');
  const hexun = compounds.compounds.nodes.find((c) => c.name === '和韵小区');
  assert.ok(hexun, '幸福里社区 has 和韵小区');
  const day = 24 * 3600 * 1000;
  const benches: ScheduleMeetingInput[] = [
    { title: '楼道堆物清理议事', days: 10 },
    { title: '加装电梯意向议事', days: 20 },
  ].map(({ title, days }) => ({
    compoundId: hexun.id,
    kind: 'BENCH',
    title,
    startsAt: new Date(Date.now() + days * day).toISOString(),
    place: '3号楼前长椅',
  }));
  for (const input of benches) {
    const result = await staff.mutation(ScheduleBench, { input });
    assert.equal(data(result, `schedule ${input.title}`).scheduleMeeting.meeting.status, 'SCHEDULED');
  }

  const { fetch, sent } = wire();
  const client = await httpClient({
    accessToken,
    exchanges: [persistedExchange({ preferGetForPersistedQueries: true })],
    fetch,
  });
  const walked: { title: string; status: MeetingStatus }[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: MeetingsPageQuery = data(
      await client.query(MeetingsPage, { compoundId: hexun.id, first: 2, after }),
      `meetings page ${pages + 1}`,
    );
    pages += 1;
    const { totalCount, pageInfo, edges } = page.meetingsOfCompound;
    assert.equal(totalCount, 3, `totalCount on page ${pages}`);
    walked.push(...edges.map(({ node }) => ({ title: node.title, status: node.status })));
    if (!pageInfo.hasNextPage) break;
    assert.equal(edges.length, 2, `a page before the last is full (page ${pages})`);
    assert.equal(pageInfo.endCursor, edges.at(-1)?.cursor);
    after = pageInfo.endCursor ?? null;
    assert.ok(pages < 5, 'the walk ends');
  }
  assert.equal(pages, 2);
  assert.deepEqual(
    walked.map(({ title, status }) => `${title} ${STATUS_LABEL[status]}`),
    ['加装电梯意向议事 待召开', '楼道堆物清理议事 待召开', '门禁道闸维修议事 已结束'],
  );
  assert.deepEqual(
    sent.map((s) => [s.method, s.query === undefined ? 'hash' : 'text']),
    [
      ['GET', 'hash'],
      ['GET', 'text'],
      ['GET', 'hash'],
    ],
    'the text went once; the next page was asked for by hash',
  );
});
