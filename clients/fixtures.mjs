// Writes the introspection fixtures of the Rust suite (tests/api/fixtures/) from the
// graphql-js pinned in package.json: `npm ci && npm run fixtures`.

import { mkdirSync, writeFileSync } from 'node:fs';

import { FIXTURES, QUERIES } from './introspection.mjs';

mkdirSync(FIXTURES, { recursive: true });
for (const [name, [, text]] of Object.entries(QUERIES)) {
  writeFileSync(new URL(name, FIXTURES), text);
  console.log(`wrote tests/api/fixtures/${name}`);
}
