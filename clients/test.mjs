// Client tools against the built server, outside cargo: graphql-js's introspection query
// (with and without its options) and buildClientSchema, as codegen, Apollo and Relay
// tooling, Postman and Insomnia use them; then GraphiQL at /graphql in headless Chromium,
// whose docs explorer must list the Query type, as a person opening the README's URL sees.
//
//   cargo build && (cd clients && npm ci && npm test)
//
// JIEDAO_BIN picks the binary (default ../target/debug/jiedao), CHROMIUM the browser
// (default /usr/bin/chromium). The screenshot of the docs explorer is written to
// $JIEDAO_SCREENSHOT (default /tmp/jiedao-graphiql-docs.png).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildClientSchema, getIntrospectionQuery } from 'graphql';
import { chromium } from 'playwright-core';

import { FIXTURES, QUERIES } from './introspection.mjs';
import { startServer } from './server.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT = process.env.JIEDAO_SCREENSHOT ?? '/tmp/jiedao-graphiql-docs.png';

async function fixturesMatchGraphqlJs() {
  for (const [name, [, text]] of Object.entries(QUERIES)) {
    const fixture = readFileSync(new URL(name, FIXTURES), 'utf8');
    assert.equal(fixture, text, `tests/api/fixtures/${name} differs from graphql-js; run npm run fixtures`);
  }
  console.log('ok - tests/api/fixtures match graphql-js getIntrospectionQuery()');
}

async function introspection(base) {
  for (const [label, options] of [
    ['default options', undefined],
    ['every option', Object.values(QUERIES)[1][0]],
  ]) {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json;q=0.9',
      },
      body: JSON.stringify({ query: getIntrospectionQuery(options), operationName: 'IntrospectionQuery' }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, `introspection (${label}): HTTP ${response.status} ${JSON.stringify(body)}`);
    assert.equal(body.errors, undefined, `introspection (${label}): ${JSON.stringify(body.errors)}`);
    const schema = buildClientSchema(body.data);
    assert.equal(schema.getQueryType()?.name, 'Query');
    assert.equal(schema.getMutationType()?.name, 'Mutation');
    assert.ok(schema.getType('Community'), 'the domain types are there');
    console.log(`ok - introspection with ${label}: buildClientSchema gives ${Object.keys(schema.getTypeMap()).length} types`);
  }
}

async function graphiql(base, dir) {
  const context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && problems.push(`console: ${msg.text()}`));
    page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
    await page.goto(`${base}/graphql`, { waitUntil: 'load' });
    const docs = page.getByRole('button', { name: 'Show Documentation Explorer' });
    await docs.waitFor({ timeout: 30_000 });
    await docs.click();
    const explorer = page.locator('.graphiql-doc-explorer');
    await explorer.waitFor({ timeout: 30_000 });
    // The explorer shows "query: Query" once the schema loaded, or the error it got.
    const loaded = explorer.locator('.graphiql-doc-explorer-root-type', { hasText: 'query' });
    const failed = explorer.locator('.graphiql-doc-explorer-error');
    await Promise.race([
      loaded.waitFor({ timeout: 30_000 }),
      failed.waitFor({ timeout: 30_000 }),
    ]).catch(() => {});
    await page.screenshot({ path: SCREENSHOT });
    const text = await explorer.innerText();
    assert.ok(
      (await loaded.count()) > 0,
      `GraphiQL's docs explorer did not list the root types (screenshot ${SCREENSHOT}):\n${text}\n${problems.join('\n')}`,
    );
    assert.match(text, /query:\s*Query/);
    assert.match(text, /mutation:\s*Mutation/);
    console.log(`ok - GraphiQL's docs explorer lists Query (screenshot ${SCREENSHOT})`);
    for (const problem of problems) console.log(`# ${problem}`);
  } finally {
    await context.close();
  }
}

/** Runs one check; a failure is reported and the others still run. */
async function check(name, run) {
  try {
    await run();
  } catch (err) {
    console.error(`not ok - ${name}: ${err.stack ?? err}`);
    process.exitCode = 1;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'jiedao-clients-'));
let running;
try {
  await check('fixtures', fixturesMatchGraphqlJs);
  running = await startServer(dir);
  await check('graphql-js introspection', () => introspection(running.base));
  await check('GraphiQL in Chromium', () => graphiql(running.base, dir));
} catch (err) {
  console.error(`not ok - ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  if (running) {
    running.server.kill('SIGTERM');
    await running.exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(process.exitCode ? 'client tools: FAILED' : 'client tools: all passed');
