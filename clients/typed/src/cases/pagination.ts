// A list walked as a frontend's "load more" does: `first`/`after` until `hasNextPage` is false.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { data, logIn } from '../client.js';
import type { ResidentsPageQuery } from '../gql/graphql.js';
import { graphql } from '../gql/index.js';

const ResidentsPage = graphql(`
  query ResidentsPage($first: Int!, $after: String) {
    residents(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          household {
            id
          }
        }
      }
    }
  }
`);

/** The demo rosters: 和韵小区 138 households and 310 residents, 芳华里 172 and 398. */
const DEMO_RESIDENTS = 708;
const DEMO_HOUSEHOLDS = 310;

test('residents: 幸福里社区 staff walk 708 residents in pages of 100, each once', async () => {
  const { client } = await logIn('xingfuStaff');
  const seen = new Set<string>();
  const households = new Set<string>();
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: ResidentsPageQuery = data(
      await client.query(ResidentsPage, { first: 100, after }),
      `residents page ${pages + 1} after ${after}`,
    );
    pages += 1;
    const { totalCount, pageInfo, edges } = page.residents;
    assert.equal(totalCount, DEMO_RESIDENTS, `totalCount on page ${pages}`);
    for (const { node } of edges) {
      assert.ok(!seen.has(node.id), `resident ${node.id} (${node.name}) came twice, again on page ${pages}`);
      seen.add(node.id);
      households.add(node.household.id);
    }
    if (!pageInfo.hasNextPage) break;
    assert.equal(edges.length, 100, `a page before the last is full (page ${pages})`);
    assert.ok(pageInfo.endCursor, `page ${pages} has a next page but no endCursor`);
    assert.equal(pageInfo.endCursor, edges.at(-1)?.cursor);
    after = pageInfo.endCursor;
    assert.ok(pages < 20, 'the walk ends');
  }
  assert.equal(seen.size, DEMO_RESIDENTS);
  assert.equal(households.size, DEMO_HOUSEHOLDS);
  assert.equal(pages, Math.ceil(DEMO_RESIDENTS / 100));
});
