// A mutation and its effect read back, by the same user and by another.
// Changes the demo request 3号楼垃圾桶两天没人清运 from NEW to ACKNOWLEDGED.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { data, logIn } from '../client.js';
import { graphql } from '../gql/index.js';

const MyRequests = graphql(`
  query MyRequests($status: RequestStatus) {
    requests(first: 100, filter: { assignedToMe: true, status: $status }) {
      edges {
        node {
          id
          title
          status
        }
      }
    }
  }
`);

const MoveRequest = graphql(`
  mutation MoveRequest($input: MoveRequestInput!) {
    moveRequest(input: $input) {
      request {
        id
        status
        acknowledgedAt
      }
    }
  }
`);

const RequestHistory = graphql(`
  query RequestHistory($id: ID!) {
    request(id: $id) {
      status
      acknowledgedAt
      events {
        kind
        statusFrom
        statusTo
        body
      }
    }
  }
`);

const CommunityRequests = graphql(`
  query CommunityRequests($status: RequestStatus!) {
    requests(first: 100, filter: { status: $status }) {
      edges {
        node {
          id
          title
        }
      }
    }
  }
`);

const GARBAGE = '3号楼垃圾桶两天没人清运';

test('moveRequest: 第1网格 acknowledges a new request; the worker and staff read it back', async () => {
  const worker = await logIn('grid1');
  const fresh = data(await worker.client.query(MyRequests, { status: 'NEW' }), 'new requests of demo.grid1');
  const request = fresh.requests.edges.find(({ node }) => node.title === GARBAGE)?.node;
  assert.ok(request, `demo.grid1 has the new request ${GARBAGE}`);

  const message = '已通知保洁公司，今天下午清运';
  const input = { requestId: request.id, action: 'ACKNOWLEDGE' as const, message };
  const moved = data(await worker.client.mutation(MoveRequest, { input }), 'moveRequest ACKNOWLEDGE').moveRequest
    .request;
  assert.equal(moved.id, request.id);
  assert.equal(moved.status, 'ACKNOWLEDGED');
  assert.ok(moved.acknowledgedAt, 'acknowledgedAt is set');

  const history = await worker.client.query(RequestHistory, { id: request.id });
  const read = data(history, 'request after the move').request;
  assert.equal(read.status, 'ACKNOWLEDGED');
  assert.equal(read.acknowledgedAt, moved.acknowledgedAt);
  const last = read.events.at(-1);
  assert.deepEqual(last && [last.kind, last.statusFrom, last.statusTo, last.body], [
    'STATUS',
    'NEW',
    'ACKNOWLEDGED',
    message,
  ]);

  const staff = await logIn('xingfuStaff');
  const acknowledged = data(
    await staff.client.query(CommunityRequests, { status: 'ACKNOWLEDGED' }),
    'acknowledged requests as staff',
  );
  assert.ok(
    acknowledged.requests.edges.some(({ node }) => node.id === request.id),
    'staff see the request among the acknowledged ones',
  );
  const after = await worker.client.query(MyRequests, { status: 'NEW' });
  const stillNew = data(after, 'new requests after the move');
  assert.ok(!stillNew.requests.edges.some(({ node }) => node.id === request.id), 'it is no longer NEW');
});
