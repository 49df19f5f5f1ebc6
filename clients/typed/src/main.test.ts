// The typed client test: `npm run test:typed` from clients/ generates the types, compiles
// and runs this file with Node's test runner against one jiedao process with demo data.
//
// Adding a case: a file in cases/ with its `graphql()` documents and `test(...)` calls,
// imported below. Cases run in this order, one at a time, and share the demo data: a case
// that changes data says so at its top and leaves alone what the others read.

import { after } from 'node:test';

import { closeSessions } from './client.js';
import { stopJiedao } from './jiedao.js';

import './cases/persisted-documents.js';
import './cases/queries.js';
import './cases/pagination.js';
import './cases/node.js';
import './cases/mutation.js';
import './cases/subscription.js';
import './cases/languages.js';
import './cases/apq.js';
import './cases/trusted.js';

after(async () => {
  await closeSessions();
  await stopJiedao();
});
