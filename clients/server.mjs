// Starts the built jiedao binary for the client tests (test.mjs and typed/): `jiedao serve`
// on a fresh SQLite database in a temporary folder, on a free loopback port.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = process.env.JIEDAO_BIN ?? fileURLToPath(new URL('../target/debug/jiedao', import.meta.url));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `jiedao serve` (with `--seed-demo` when `seedDemo`, and `env` added to its
 * environment) on `dir/jiedao.db`; resolves once /readyz answers 200. With
 * `captureStdout`, what the server prints is kept (`output()`) instead of dropped or shown.
 */
export async function startServer(dir, { seedDemo = false, env: extra = {}, captureStdout = false } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, RUST_LOG: 'warn' };
  Object.assign(env, {
    JIEDAO_LISTEN: `127.0.0.1:${port}`,
    JIEDAO_DATABASE_URL: `sqlite://${join(dir, 'jiedao.db')}`,
    ...extra,
  });
  const args = seedDemo ? ['serve', '--seed-demo'] : ['serve'];
  // The demo's console listing (accounts, share token) is not test output.
  const stdout = captureStdout ? 'pipe' : seedDemo ? 'ignore' : 'inherit';
  const server = spawn(BIN, args, { env, stdio: ['ignore', stdout, 'inherit'] });
  let printed = '';
  server.stdout?.setEncoding('utf8').on('data', (chunk) => {
    printed += chunk;
  });
  const output = () => printed;
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  // A binary that cannot be started (not built) emits 'error', and no 'exit'.
  const failed = new Promise((resolve) => server.on('error', (err) => resolve(`did not start: ${err.message}`)));
  const stopped = Promise.race([exited.then((code) => `exited with ${code} before it was ready`), failed]);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const stop = await Promise.race([stopped, new Promise((r) => setTimeout(() => r(undefined), 250))]);
    if (stop !== undefined) throw new Error(`${BIN} serve ${stop}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { server, base, exited, output };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${BIN} serve was not ready within 120 s`);
  }
}
