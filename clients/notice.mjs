// The public notice in a real browser, as a resident opens it: the demo's published
// statement at its short link on a phone-sized headless Chromium (390×844), whose own
// script must check every hash and signature and show ✓; the same page fed a tampered
// JSON must name the entry that no longer matches, and fed a rewritten history (an amount
// changed, every hash recomputed here from docs/ledger-hash.md with Node's own SHA-256, so
// the entries chain again) must refuse its signature; without the script, or without
// WebCrypto, the page still reads and says how to check elsewhere. Then the A4 print view
// as a PDF of one or two pages whose QR code (pdftoppm, zbarimg) decodes to the link; and
// the demo's resolution on notice, on the phone and printed.
//
//   cargo build && (cd clients && npm ci && node notice.mjs)
//
// Needs Debian's chromium, poppler-utils and zbar-tools (.ci/run installs them). JIEDAO_BIN
// picks the binary, CHROMIUM the browser; screenshots, the PDF and its pages go to
// $JIEDAO_SCREENSHOTS (default /tmp/jiedao-notice).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

import { startServer } from './server.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.JIEDAO_SCREENSHOTS ?? '/tmp/jiedao-notice';
const PHONE = { width: 390, height: 844 };

/** `1,234.50 元`, as the page writes money. */
function yuan(fen) {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')} 元`;
}

/** The demo's share tokens (statement, resolution), from what `serve --seed-demo` printed. */
async function demoTokens(running) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const statement = /shareToken: "([A-Za-z0-9_-]+)"/.exec(running.output());
    const resolution = /the resolution on notice\s+\S+\/r\/([A-Za-z0-9_-]+)/.exec(running.output());
    if (statement && resolution) return { token: statement[1], resolutionToken: resolution[1] };
    if (Date.now() > deadline) throw new Error(`no share tokens in the demo output:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A phone-sized page that records script errors and failed requests. */
async function phonePage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  // The browser's own favicon request is not the page's.
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`HTTP ${r.status()} ${r.url()}`));
  return { page, problems };
}

/** Waits for the in-page check to finish; returns its state and text. */
async function verdict(page) {
  const result = page.locator('#verify-result');
  await page.waitForFunction(() => document.getElementById('verify-result')?.dataset.state !== 'pending', null, {
    timeout: 30_000,
  });
  return { state: await result.getAttribute('data-state'), text: await result.innerText() };
}

async function phoneChecks(context, base, token, doc) {
  const { page, problems } = await phonePage(context);
  await page.goto(`${base}/s/${token}`, { waitUntil: 'load' });
  const { state, text } = await verdict(page);
  await page.screenshot({ path: join(SHOTS, 'statement-phone.png') });
  await page.screenshot({ path: join(SHOTS, 'statement-phone-full.png'), fullPage: true });
  await page.locator('dl.facts').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, 'statement-phone-end.png') });
  assert.equal(state, 'ok', `in-page verification: ${text}\n${problems.join('\n')}`);
  const range = `第${doc.fromSeq}至${doc.toSeq}笔`;
  assert.match(text, new RegExp(`^✓ 已核验：${range}哈希全部吻合，签名有效（密钥 [0-9a-f]{4}( [0-9a-f]{4}){3}）$`));
  assert.deepEqual(problems, []);

  const body = await page.locator('body').innerText();
  for (const shown of [doc.fundName, doc.compoundName, doc.communityName, yuan(doc.openingBalanceFen), yuan(doc.closingBalanceFen)]) {
    assert.ok(body.includes(shown), `the page shows ${shown}`);
  }
  assert.equal(await page.locator('#closing').innerText(), yuan(doc.closingBalanceFen));
  assert.equal(await page.locator('ol.entries > li').count(), doc.entries.length);
  assert.equal(await page.title(), `${doc.compoundName} ${doc.fundName} 公示（${range}）`);
  // Readable on a phone: large type, nothing wider than the screen.
  const layout = await page.evaluate(() => ({
    font: parseFloat(getComputedStyle(document.body).fontSize),
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
  }));
  assert.ok(layout.font >= 18, `base font ${layout.font}px`);
  assert.ok(layout.scroll <= layout.inner, `the page is ${layout.scroll}px wide on a ${layout.inner}px screen`);
  await page.close();
  console.log(`ok - /s/{token} on a ${PHONE.width}×${PHONE.height} phone shows ${range} and checks: ${text}`);
}

async function tamperedChecks(context, base, token, doc) {
  const { page } = await phonePage(context);
  // One entry's amount changed on its way to the browser, as a forged copy would be.
  const bad = doc.entries[Math.min(4, doc.entries.length - 1)];
  await page.route('**/*.json', async (route) => {
    if (!new URL(route.request().url()).pathname.startsWith('/s/')) return route.continue();
    const response = await route.fetch();
    const forged = await response.json();
    forged.entries.find((e) => e.seq === bad.seq).amountFen += 100;
    return route.fulfill({ response, json: forged });
  });
  await page.goto(`${base}/s/${token}`, { waitUntil: 'load' });
  const { state, text } = await verdict(page);
  await page.locator('#verify-result').screenshot({ path: join(SHOTS, 'statement-tampered.png') });
  assert.equal(state, 'bad', text);
  assert.ok(text.startsWith(`✗ 第 ${bad.seq} 笔与哈希不符`), text);
  await page.close();
  console.log(`ok - a tampered JSON is caught at entry ${bad.seq}: ${text}`);
}

// docs/ledger-hash.md, written again here with Node's own SHA-256: the forger's tool.
function entryHash(fundId, e) {
  const uuid = (id) => Buffer.from(id.replace(/-/g, ''), 'hex');
  const i64 = (n) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(n));
    return b;
  };
  const optional = (id) => (id ? Buffer.concat([Buffer.of(1), uuid(id)]) : Buffer.of(0));
  const sha256 = (bytes) => createHash('sha256').update(bytes).digest();
  return sha256(Buffer.concat([
    Buffer.from(e.prevHash, 'hex'), Buffer.of(1), uuid(fundId), i64(e.seq),
    Buffer.of({ contribution: 1, expense: 2, reversal: 3 }[e.kind]), i64(e.amountFen),
    i64(e.occurredAtMicros), i64(e.recordedAtMicros), optional(e.counterpartyId),
    sha256(Buffer.from(e.memo, 'utf8')), optional(e.expenseId), optional(e.levyId),
    optional(e.resolutionId), optional(e.reversesEntryId),
  ])).toString('hex');
}

async function rewrittenChecks(context, base, token, doc) {
  const { page } = await phonePage(context);
  // What someone with the database file but not the key can serve: an amount changed and
  // every later hash, balance and head recomputed, so the entries chain again.
  const target = doc.entries[Math.min(4, doc.entries.length - 1)].seq;
  await page.route('**/*.json', async (route) => {
    if (!new URL(route.request().url()).pathname.startsWith('/s/')) return route.continue();
    const response = await route.fetch();
    const forged = await response.json();
    let prev = forged.entries[0].prevHash;
    let balance = BigInt(forged.openingBalanceFen);
    for (const e of forged.entries) {
      if (e.seq === target) e.amountFen -= 100;
      balance += BigInt(e.amountFen);
      e.balanceAfterFen = Number(balance);
      e.prevHash = prev;
      e.hash = entryHash(forged.fundId, e);
      prev = e.hash;
    }
    const head = forged.history[forged.history.length - 1];
    forged.headHash = head.headHash = prev;
    forged.closingBalanceFen = head.closingBalanceFen = Number(balance);
    return route.fulfill({ response, json: forged });
  });
  await page.goto(`${base}/s/${token}`, { waitUntil: 'load' });
  const { state, text } = await verdict(page);
  assert.equal(state, 'bad', text);
  assert.ok(text.startsWith(`✗ 第 ${doc.history.at(-1).fromSeq} 至 ${doc.toSeq} 笔的公示签名无效`), text);
  await page.close();
  console.log(`ok - a rewritten history whose hashes all chain again is caught by the signature: ${text}`);
}

async function withoutScriptChecks(context, base, token, doc) {
  // No script at all (blocked, or an old browser): the page still reads.
  const { page } = await phonePage(context);
  await page.route('**/notice/verify.js*', (route) => route.abort());
  await page.goto(`${base}/s/${token}`, { waitUntil: 'load' });
  const result = page.locator('#verify-result');
  assert.equal(await result.getAttribute('data-state'), 'pending');
  assert.match(await result.innerText(), /jiedao verify-statement http:\/\/127\.0\.0\.1:\d+\/s\//);
  assert.ok((await page.locator('body').innerText()).includes(yuan(doc.closingBalanceFen)));
  await page.close();
  // No WebCrypto (plain http on a LAN address): the check says it cannot run here.
  const second = await phonePage(context);
  await second.page.addInitScript(() => {
    Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined });
  });
  await second.page.goto(`${base}/s/${token}`, { waitUntil: 'load' });
  const { state, text } = await verdict(second.page);
  assert.equal(state, 'unavailable', text);
  assert.match(text, /无法在页面内核验.*jiedao verify-statement/);
  await second.page.close();
  console.log('ok - without the script, or without WebCrypto, the page reads and says how to check');
}

/** Prints `url` to an A4 PDF; answers its page count and the QR code decoded from page 1. */
async function printed(context, url, name) {
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  const pdfPath = join(SHOTS, `${name}.pdf`);
  writeFileSync(pdfPath, await page.pdf({ format: 'A4', printBackground: true }));
  const html = await page.content();
  const text = await page.locator('body').innerText();
  await page.close();
  assert.ok(html.includes('@page'), 'the print view sets its page size');
  const info = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
  assert.match(info, /Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  const prefix = join(SHOTS, name);
  execFileSync('pdftoppm', ['-png', '-r', '150', '-f', '1', '-l', '1', '-singlefile', pdfPath, prefix]);
  const decoded = execFileSync('zbarimg', ['--quiet', '--raw', `${prefix}.png`], {
    encoding: 'utf8',
    // Its complaint about a missing D-Bus is noise; a real failure throws with stderr.
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  return { text, pages, decoded };
}

async function printChecks(context, base, token, doc) {
  const link = `${base}/s/${token}`;
  const { text, pages, decoded } = await printed(context, `${link}/print`, 'statement-print');
  for (const shown of [doc.fundName, yuan(doc.closingBalanceFen), doc.headHash, 'jiedao verify-statement']) {
    assert.ok(text.includes(shown), `the print view shows ${shown}`);
  }
  assert.ok(pages >= 1 && pages <= 2, `the print view is ${pages} A4 pages`);
  assert.equal(decoded, link, 'the printed QR code is the short link');
  console.log(`ok - the print view is ${pages} A4 page(s) whose QR decodes to ${decoded}`);
}

async function resolutionChecks(context, base, token) {
  const doc = await (await fetch(`${base}/r/${token}.json`)).json();
  const { page, problems } = await phonePage(context);
  const link = `${base}/r/${token}`;
  await page.goto(link, { waitUntil: 'load' });
  await page.screenshot({ path: join(SHOTS, 'resolution-phone.png'), fullPage: true });
  const body = await page.locator('body').innerText();
  for (const shown of [doc.title, doc.meetingTitle, '表决结果：通过', '提出异议', String(doc.tally.yes.heads)]) {
    assert.ok(body.includes(shown), `the resolution page shows ${shown}`);
  }
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(scroll, 'the resolution page fits the phone');
  assert.deepEqual(problems, []);
  await page.close();
  const { pages, decoded } = await printed(context, `${link}/print`, 'resolution-print');
  assert.equal(pages, 1, 'a resolution notice is one A4 page');
  assert.equal(decoded, link);
  console.log(`ok - the resolution on notice reads on a phone and prints to one A4 page whose QR decodes to ${decoded}`);
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

mkdirSync(SHOTS, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'jiedao-notice-'));
let running;
let context;
try {
  running = await startServer(dir, { seedDemo: true, captureStdout: true });
  const { token, resolutionToken } = await demoTokens(running);
  const doc = await (await fetch(`${running.base}/s/${token}.json`)).json();
  context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
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
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  await check('the page on a phone', () => phoneChecks(context, running.base, token, doc));
  await check('a tampered statement', () => tamperedChecks(context, running.base, token, doc));
  await check('a rewritten history', () => rewrittenChecks(context, running.base, token, doc));
  await check('without the script', () => withoutScriptChecks(context, running.base, token, doc));
  await check('the print view', () => printChecks(context, running.base, token, doc));
  await check('a resolution on notice', () => resolutionChecks(context, running.base, resolutionToken));
} catch (err) {
  console.error(`not ok - ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await context?.close();
  if (running) {
    running.server.kill('SIGTERM');
    await running.exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(process.exitCode ? `notice pages: FAILED (screenshots in ${SHOTS})` : `notice pages: all passed (screenshots in ${SHOTS})`);
