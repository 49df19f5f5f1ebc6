// The typed client test: `npm run test:typed` from clients/ generates the types, compiles
// and runs this file with Node's test runner against one jiedao process with demo data.
//
// Adding a case: a file in cases/ with its `graphql()` documents and `test(...)` calls,
// imported below. Cases run in this order, one at a time, and share the demo data: a case
// that changes data leaves what the others read alone (or say here which it changes).

import { after } from 'node:test';

import { closeSessions } from './client.js';
import { stopJiedao } from './jiedao.js';

import './cases/persisted-documents.js';
import './cases/queries.js';
import './cases/pagination.js';
import './cases/mutation.js';
import './cases/subscription.js';
// Cases the lead adds after merging the Node interface and APQ work go here:
// cases/node.js (node(id:) and nodes(ids:) refetch what a list returned),
// cases/apq.js (persistedExchange with the hashes of persisted-documents.json),
// cases/locale.js (Accept-Language: zh error messages).

after(async () => {
  await closeSessions();
  await stopJiedao();
});
