// requestAssigned over /graphql/ws (graphql-transport-ws through graphql-ws): each grid
// worker hears of the requests filed in their grid, and only those.
// Records two requests: one in a building of 第1网格, one of 第2网格.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { data, Events, logIn } from '../client.js';
import { graphql } from '../gql/index.js';
import { metrics } from '../jiedao.js';

const RequestAssigned = graphql(`
  subscription RequestAssigned {
    requestAssigned {
      id
      title
      status
      gridId
    }
  }
`);

const Grids = graphql(`
  query Grids {
    grids {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

const FirstHousehold = graphql(`
  query FirstHousehold($gridId: ID!) {
    households(first: 1, filter: { gridId: $gridId }) {
      edges {
        node {
          id
          dwelling {
            unit
            room
            building {
              number
            }
          }
        }
      }
    }
  }
`);

const RecordRequest = graphql(`
  mutation RecordRequest($input: RecordRequestInput!) {
    recordRequest(input: $input) {
      request {
        id
        gridId
      }
    }
  }
`);

/** `jiedao_live_subscribers` of /metrics: open WebSocket connections plus their subscriptions. */
async function liveReceivers(): Promise<number> {
  const line = (await metrics()).match(/^jiedao_live_subscribers (\d+)$/m);
  assert.ok(line?.[1], 'GET /metrics has jiedao_live_subscribers');
  return Number(line[1]);
}

/** Waits until the server holds `count` receivers, so an event sent next reaches them. */
async function receiversReach(count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let now = await liveReceivers();
  while (now < count) {
    assert.ok(Date.now() < deadline, `live_subscribers stayed at ${now}, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = await liveReceivers();
  }
}

test('requestAssigned: each grid worker hears of the request filed in their grid, and only that', async () => {
  const staff = await logIn('xingfuStaff');
  const grids = data(await staff.client.query(Grids, {}), 'grids').grids.edges.map(({ node }) => node);
  const gridId = (name: string) => {
    const grid = grids.find((g) => g.name === name);
    assert.ok(grid, `幸福里社区 has ${name}`);
    return grid.id;
  };
  const household = async (grid: string) => {
    const result = await staff.client.query(FirstHousehold, { gridId: gridId(grid) });
    const node = data(result, `a household of ${grid}`).households.edges[0]?.node;
    assert.ok(node, `${grid} has a household`);
    return node;
  };
  const [home1, home2] = [await household('第1网格'), await household('第2网格')];

  const before = await liveReceivers();
  const worker1 = new Events(await logIn('grid1'), RequestAssigned, {});
  const worker2 = new Events(await logIn('grid2'), RequestAssigned, {});
  try {
    // Two connections with one subscription each.
    await receiversReach(before + 4);
    const record = async (home: typeof home1, title: string) => {
      const { building, unit, room } = home.dwelling;
      const wechatMessage = {
        groupName: '和韵小区邻里群',
        senderNickname: `${building.number}${unit}-${room}`,
        originalText: title,
        sentAt: new Date().toISOString(),
      };
      const input = {
        householdId: home.id,
        source: 'WECHAT' as const,
        wechatMessage,
        category: 'repair',
        title,
      };
      const result = await staff.client.mutation(RecordRequest, { input });
      return data(result, `recordRequest ${title}`).recordRequest.request;
    };

    const title1 = `${home1.dwelling.building.number}楼道灯不亮`;
    const first = await record(home1, title1);
    assert.equal(first.gridId, gridId('第1网格'));
    const heard1 = await worker1.next('demo.grid1 hears of the 第1网格 request');
    assert.deepEqual(heard1.requestAssigned, { id: first.id, title: title1, status: 'NEW', gridId: first.gridId });

    const second = await record(home2, `${home2.dwelling.building.number}电梯异响`);
    assert.equal(second.gridId, gridId('第2网格'));
    // demo.grid2's first event is the second request: the first never reached them.
    const heard2 = await worker2.next('demo.grid2 hears of the 第2网格 request');
    assert.equal(heard2.requestAssigned.id, second.id);
    assert.equal(heard2.requestAssigned.gridId, gridId('第2网格'));
  } finally {
    worker1.unsubscribe();
    worker2.unsubscribe();
  }
});
