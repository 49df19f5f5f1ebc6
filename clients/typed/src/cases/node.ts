// Relay object identification from a client: what a list returned, refetched by its ID with
// `node(id:)` and `nodes(ids:)`, narrowed by `__typename` as the generated types allow; an
// ID of another community is null with a NOT_FOUND error at its place.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { data, errorCodes, logIn } from '../client.js';
import type { RefetchNodeQuery } from '../gql/graphql.js';
import { graphql } from '../gql/index.js';

const NodeSources = graphql(`
  query NodeSources {
    compounds {
      nodes {
        id
        name
        hasPropertyCompany
      }
    }
    residents(first: 3) {
      nodes {
        id
        name
        gender
        tags
      }
    }
  }
`);

const NodeCompoundLists = graphql(`
  query NodeCompoundLists($compoundId: ID!) {
    fundsOfCompound(compoundId: $compoundId) {
      nodes {
        id
        name
        balance
      }
    }
    meetingsOfCompound(compoundId: $compoundId) {
      nodes {
        id
        title
        status
      }
    }
  }
`);

// `status` only on Meeting: Fund's is another enum, and one response name cannot carry two.
const RefetchNode = graphql(`
  query RefetchNode($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Compound {
        name
        hasPropertyCompany
      }
      ... on Resident {
        name
        gender
        tags
      }
      ... on Fund {
        name
        balance
      }
      ... on Meeting {
        title
        status
      }
    }
  }
`);

const RefetchNodes = graphql(`
  query RefetchNodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
      ... on Compound {
        name
        hasPropertyCompany
      }
      ... on Resident {
        name
        gender
        tags
      }
      ... on Fund {
        name
        balance
      }
      ... on Meeting {
        title
        status
      }
    }
  }
`);

const OwnIds = graphql(`
  query OwnIds {
    me {
      id
    }
    communities {
      nodes {
        id
        name
      }
    }
  }
`);

const MixedNodes = graphql(`
  query MixedNodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on Community {
        name
      }
      ... on User {
        username
      }
    }
  }
`);

type Found = NonNullable<RefetchNodeQuery['node']>;

/** The fields the list gave, read off a refetched node once its type is known. */
function listFields(node: Found): Record<string, unknown> {
  // Each branch compiles only because `__typename` narrowed the union to that type.
  switch (node.__typename) {
    case 'Compound':
      return { id: node.id, name: node.name, hasPropertyCompany: node.hasPropertyCompany };
    case 'Resident':
      return { id: node.id, name: node.name, gender: node.gender, tags: node.tags };
    case 'Fund':
      return { id: node.id, name: node.name, balance: node.balance };
    case 'Meeting':
      return { id: node.id, title: node.title, status: node.status };
    default:
      return { id: node.id, unexpected: node.__typename };
  }
}

test('node(id:) and nodes(ids:): a compound, residents, a fund and a meeting refetched as the lists gave them', async () => {
  const { client } = await logIn('xingfuStaff');
  const sources = data(await client.query(NodeSources, {}), 'compounds and residents');
  const hexun = sources.compounds.nodes.find((c) => c.name === '和韵小区');
  assert.ok(hexun, '幸福里社区 has 和韵小区');
  const lists = data(await client.query(NodeCompoundLists, { compoundId: hexun.id }), 'funds and meetings');
  const fund = lists.fundsOfCompound.nodes.find((f) => f.name === '门禁维修基金');
  const meeting = lists.meetingsOfCompound.nodes.find((m) => m.title === '门禁道闸维修议事');
  assert.ok(fund && meeting, '和韵小区 has the demo fund and meeting');
  assert.equal(sources.residents.nodes.length, 3);

  const expected: [string, Record<string, unknown>][] = [
    ['Compound', { id: hexun.id, name: hexun.name, hasPropertyCompany: hexun.hasPropertyCompany }],
    ...sources.residents.nodes.map((r) => ['Resident', { ...r }] as [string, Record<string, unknown>]),
    ['Fund', { ...fund }],
    ['Meeting', { ...meeting }],
  ];
  for (const [typename, fields] of expected) {
    const { node } = data(await client.query(RefetchNode, { id: String(fields['id']) }), `node ${typename}`);
    assert.ok(node, `node(id:) of a ${typename} the list gave`);
    assert.equal(node.__typename, typename);
    assert.deepEqual(listFields(node), fields);
  }

  const ids = expected.map(([, fields]) => String(fields['id']));
  const { nodes } = data(await client.query(RefetchNodes, { ids }), 'nodes');
  assert.deepEqual(
    nodes.map((node) => (node ? [node.__typename, listFields(node)] : null)),
    expected,
    'nodes(ids:) answers in the order asked',
  );
});

test('nodes(ids:) as the 光明社区 admin: another community’s compound is null with NOT_FOUND at its index', async () => {
  const staff = await logIn('xingfuStaff');
  const admin = await logIn('guangmingAdmin');
  const theirs = data(await staff.client.query(NodeSources, {}), 'compounds as 幸福里社区 staff');
  const compoundId = theirs.compounds.nodes[0]?.id;
  assert.ok(compoundId, '幸福里社区 has a compound');
  const own = data(await admin.client.query(OwnIds, {}), 'me and communities as 光明社区 admin');
  const community = own.communities.nodes.find((c) => c.name === '光明社区');
  assert.ok(community, `the admin sees 光明社区 (sees ${own.communities.nodes.map((c) => c.name).join(', ')})`);

  const result = await admin.client.query(MixedNodes, { ids: [community.id, compoundId, own.me.id] });
  const answered = result.data?.nodes.map((node) => {
    if (!node) return null;
    if (node.__typename === 'Community') return `Community ${node.name}`;
    if (node.__typename === 'User') return `User ${node.username}`;
    return node.__typename;
  });
  assert.deepEqual(answered, ['Community 光明社区', null, 'User demo.guangming.admin']);
  assert.deepEqual(errorCodes(result), ['NOT_FOUND']);
  assert.deepEqual(result.error?.graphQLErrors[0]?.path, ['nodes', 1]);

  const single = await admin.client.query(RefetchNode, { id: compoundId });
  assert.equal(single.data?.node, null, 'node(id:) out of reach is null');
  assert.deepEqual(errorCodes(single), ['NOT_FOUND']);
});
