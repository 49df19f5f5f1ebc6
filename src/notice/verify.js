// Checks the statement on this page in the reader's own browser, as docs/ledger-hash.md
// describes: every entry hash recomputed with WebCrypto SHA-256, the links and running
// balances, then every statement signature of the history with WebCrypto Ed25519 against
// the keys the deployment lists. It trusts nothing the server computed but the keys.
// The page reads fine without it; it only adds the verdict to #verify-result.
(() => {
  'use strict';

  const out = document.getElementById('verify-result');
  if (!out) return;
  const link = out.dataset.link;

  const show = (state, text) => {
    out.dataset.state = state;
    out.textContent = text;
  };

  // A check that could not run is not a failed check: say how to check elsewhere.
  const unavailable = (why) =>
    show('unavailable', `此浏览器无法在页面内核验（${why}）。可以在电脑上运行 jiedao verify-statement ${link} 核验，或换用较新的浏览器通过 https 打开本页。`);

  class Bad extends Error {}
  class Unsupported extends Error {}

  const GENESIS = '0'.repeat(64);
  const KINDS = { contribution: 1, expense: 2, reversal: 3 };
  const LABEL = new TextEncoder().encode('jiedao statement v1\0');

  const hexBytes = (hex, length) => {
    if (typeof hex !== 'string' || hex.length !== length * 2 || !/^[0-9a-f]*$/i.test(hex)) return null;
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return bytes;
  };
  const toHex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
  const uuidBytes = (id) => hexBytes(typeof id === 'string' ? id.replace(/-/g, '') : '', 16);

  // 8 bytes, signed, big-endian.
  const i64 = (n) => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, BigInt(n), false);
    return bytes;
  };
  // 0x00 for none, else 0x01 and the UUID's 16 bytes.
  const optionalId = (id) => {
    if (id === null || id === undefined) return Uint8Array.of(0);
    const bytes = uuidBytes(id);
    if (!bytes) throw new Error('bad id');
    return concat([Uint8Array.of(1), bytes]);
  };
  const concat = (parts) => {
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all;
  };
  const sha256 = (bytes) => crypto.subtle.digest('SHA-256', bytes);

  async function entryHash(fundId, e) {
    const prev = hexBytes(e.prevHash, 32);
    const kind = KINDS[e.kind];
    const fund = uuidBytes(fundId);
    if (!prev || !kind || !fund) return null;
    const memo = new Uint8Array(await sha256(new TextEncoder().encode(e.memo ?? '')));
    const bytes = concat([
      prev,
      Uint8Array.of(1),
      fund,
      i64(e.seq),
      Uint8Array.of(kind),
      i64(e.amountFen),
      i64(e.occurredAtMicros),
      i64(e.recordedAtMicros),
      optionalId(e.counterpartyId),
      memo,
      optionalId(e.expenseId),
      optionalId(e.levyId),
      optionalId(e.resolutionId),
      optionalId(e.reversesEntryId),
    ]);
    return toHex(await sha256(bytes));
  }

  // Step 1: each entry recomputed, linked to the one before, the balance carried on.
  async function checkEntries(doc) {
    const before = doc.history.length > 1 ? doc.history[doc.history.length - 2] : null;
    let prev = null;
    let balance = BigInt(doc.openingBalanceFen);
    for (let i = 0; i < doc.entries.length; i++) {
      const e = doc.entries[i];
      const seq = doc.fromSeq + i;
      // The first links to the genesis, or to the head of the notice it continues.
      let expected = prev;
      if (expected === null && seq === 1) expected = GENESIS;
      if (expected === null && before && before.toSeq === seq - 1) expected = before.headHash;
      let good = false;
      try {
        balance += BigInt(e.amountFen);
        good = e.seq === seq && (expected === null || e.prevHash === expected) &&
          BigInt(e.balanceAfterFen) === balance && (await entryHash(doc.fundId, e)) === e.hash;
      } catch {
        // Not an integer, not a UUID: not what was published.
      }
      if (!good) throw new Bad(`✗ 第 ${seq} 笔与哈希不符：这一笔的内容、顺序或余额与公示时不一致。`);
      prev = e.hash;
    }
    const complete = doc.entries.length === doc.toSeq - doc.fromSeq + 1;
    if (!complete || prev !== doc.headHash || balance !== BigInt(doc.closingBalanceFen)) {
      throw new Bad('✗ 明细与公示的末笔哈希或期末余额不符。');
    }
    const head = doc.history[doc.history.length - 1];
    const same = head && head.statementId === doc.statementId && head.fromSeq === doc.fromSeq && head.toSeq === doc.toSeq &&
      head.openingBalanceFen === doc.openingBalanceFen && head.closingBalanceFen === doc.closingBalanceFen &&
      head.headHash === doc.headHash && head.publishedAtMicros === doc.publishedAtMicros;
    if (!same) throw new Bad('✗ 公示记录与明细不符。');
  }

  // What a statement's signature covers (docs/ledger-hash.md, "Statement signatures").
  function signedBytes(fundId, h, previous) {
    const fund = uuidBytes(fundId);
    const head = hexBytes(h.headHash, 32);
    const keyId = hexBytes(h.keyId, 8);
    let link = Uint8Array.of(0);
    if (previous) {
      const prevHead = hexBytes(previous.headHash, 32);
      const prevSignature = hexBytes(previous.signature, 64);
      if (!prevHead || !prevSignature) return null;
      link = concat([Uint8Array.of(1), prevHead, prevSignature]);
    }
    if (!fund || !head || !keyId) return null;
    return concat([
      LABEL, fund, i64(h.fromSeq), i64(h.toSeq), i64(h.openingBalanceFen), i64(h.closingBalanceFen),
      head, i64(h.publishedAtMicros), link, keyId,
    ]);
  }

  async function importKey(hex) {
    const raw = hexBytes(hex, 32);
    if (!raw) return null;
    try {
      return await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    } catch (err) {
      if (err && err.name === 'NotSupportedError') throw new Unsupported('不支持 Ed25519 签名');
      return null;
    }
  }

  // Step 2: every statement of the history signed over the one before it.
  async function checkSignatures(doc, listed) {
    const keys = new Map();
    for (const k of listed.keys ?? []) {
      if (k.algorithm === 'ed25519') keys.set(k.keyId, k.publicKey);
    }
    let previous = null;
    const used = [];
    for (const h of doc.history) {
      const range = `第 ${h.fromSeq} 至 ${h.toSeq} 笔的公示`;
      if ((h.previousStatementId ?? null) !== (previous ? previous.statementId : null)) {
        throw new Bad(`✗ ${range}没有接续它之前的公示。`);
      }
      if (!h.keyId || !h.signature) throw new Bad(`✗ ${range}没有签名。`);
      if (!keys.has(h.keyId)) throw new Bad(`✗ ${range}的签名密钥 ${grouped(h.keyId)} 不在本站公布的密钥中。`);
      const key = await importKey(keys.get(h.keyId));
      const message = signedBytes(doc.fundId, h, previous);
      const signature = hexBytes(h.signature, 64);
      const valid = key && message && signature && (await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message));
      if (!valid) throw new Bad(`✗ ${range}签名无效。`);
      if (!used.includes(h.keyId)) used.push(h.keyId);
      previous = h;
    }
    return used;
  }

  const grouped = (id) => id.match(/.{1,4}/g).join(' ');

  async function fetchJson(url) {
    const response = await fetch(url, { credentials: 'omit', cache: 'no-cache' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  }

  async function run() {
    if (!window.crypto || !crypto.subtle || !window.BigInt || !DataView.prototype.setBigInt64) {
      unavailable('需要 https 连接与较新的浏览器');
      return;
    }
    show('pending', '正在核验……');
    let doc;
    let listed;
    try {
      [doc, listed] = await Promise.all([fetchJson(out.dataset.json), fetchJson(out.dataset.keys)]);
    } catch {
      unavailable('读取公示数据失败');
      return;
    }
    try {
      if (doc.format !== 'jiedao-statement/1' || !Array.isArray(doc.entries) || !Array.isArray(doc.history)) {
        throw new Bad('✗ 公示数据的格式不对。');
      }
      await checkEntries(doc);
      const used = await checkSignatures(doc, listed);
      show('ok', `✓ 已核验：第${doc.fromSeq}至${doc.toSeq}笔哈希全部吻合，签名有效（密钥 ${used.map(grouped).join('，')}）`);
    } catch (err) {
      if (err instanceof Bad) show('bad', err.message);
      else if (err instanceof Unsupported) unavailable(err.message);
      else unavailable('核验时出错');
    }
  }

  run();
})();
