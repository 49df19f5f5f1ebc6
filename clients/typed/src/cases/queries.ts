// Typed queries whose answers the demo data fixes, and the tenancy rule seen from a client.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { data, errorCodes, logIn } from '../client.js';
import { graphql } from '../gql/index.js';

const Me = graphql(`
  query Me {
    me {
      username
      grants {
        role
        scopeKind
        scopeName
        active
      }
    }
  }
`);

const Compounds = graphql(`
  query Compounds {
    compounds {
      totalCount
      edges {
        node {
          id
          name
          hasPropertyCompany
          community {
            name
          }
          buildings {
            number
            units
            floors
            grid {
              name
            }
          }
        }
      }
    }
  }
`);

const CompoundName = graphql(`
  query CompoundName($id: ID!) {
    compound(id: $id) {
      name
    }
  }
`);

test('me: demo.xingfu.staff holds community_staff of 幸福里社区', async () => {
  const { client } = await logIn('xingfuStaff');
  const { me } = data(await client.query(Me, {}), 'me');
  assert.equal(me.username, 'demo.xingfu.staff');
  assert.deepEqual(
    me.grants.map(({ role, scopeKind, scopeName, active }) => ({ role, scopeKind, scopeName, active })),
    [{ role: 'COMMUNITY_STAFF', scopeKind: 'COMMUNITY', scopeName: '幸福里社区', active: true }],
  );
});

test('compounds: 幸福里社区 has 和韵小区 (6 buildings, grids 1 and 2) and 芳华里 (3 buildings, grid 3)', async () => {
  const { client } = await logIn('xingfuStaff');
  const { compounds } = data(await client.query(Compounds, {}), 'compounds');
  assert.equal(compounds.totalCount, 2);
  const byName = new Map(compounds.edges.map(({ node }) => [node.name, node]));
  const hexun = byName.get('和韵小区');
  const fanghua = byName.get('芳华里');
  assert.ok(hexun && fanghua, `compounds: ${[...byName.keys()].join(', ')}`);
  assert.equal(hexun.community.name, '幸福里社区');
  assert.equal(hexun.hasPropertyCompany, false, '和韵小区 runs itself (无物业)');
  assert.equal(fanghua.hasPropertyCompany, true);
  assert.deepEqual(
    hexun.buildings.map((b) => [b.number, b.grid?.name]),
    [1, 2, 3, 4, 5, 6].map((n) => [`${n}号楼`, n <= 3 ? '第1网格' : '第2网格']),
  );
  assert.deepEqual(
    fanghua.buildings.map((b) => [b.number, b.units, b.floors, b.grid?.name]),
    [1, 2, 3].map((n) => [`${n}号楼`, 3, 11, '第3网格']),
  );
});

test('tenancy: 光明社区 admin sees none of 幸福里社区 compounds; compound(id) is NOT_FOUND', async () => {
  const staff = await logIn('xingfuStaff');
  const outsider = await logIn('guangmingAdmin');
  const theirs = data(await staff.client.query(Compounds, {}), 'compounds as 幸福里社区 staff');
  const id = theirs.compounds.edges[0]?.node.id;
  assert.ok(id, '幸福里社区 has a compound');

  const { compounds } = data(await outsider.client.query(Compounds, {}), 'compounds as 光明社区 admin');
  assert.equal(compounds.totalCount, 0);
  assert.deepEqual(compounds.edges, []);
  const result = await outsider.client.query(CompoundName, { id });
  assert.equal(result.data?.compound, undefined);
  assert.deepEqual(errorCodes(result), ['NOT_FOUND']);
});
