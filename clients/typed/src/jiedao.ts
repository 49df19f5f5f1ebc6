// One jiedao process with the demo data for the whole run (seeding it takes a while), shared
// by every case: `await jiedao()` starts it on first use; main.test.ts stops it at the end.
// A case needing other server settings starts its own with `startOwnJiedao` and stops it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startServer, type Running } from '../../server.mjs';

/** Demo accounts loaded by `--seed-demo` (the README lists them; the passwords are public). */
export const DEMO = {
  xingfuStaff: ['demo.xingfu.staff', 'demo-staff-2026'],
  guangmingAdmin: ['demo.guangming.admin', 'demo-guangming-2026'],
  grid1: ['demo.grid1', 'demo-grid1-2026'],
  grid2: ['demo.grid2', 'demo-grid2-2026'],
} as const satisfies Record<string, readonly [string, string]>;

export type DemoAccount = keyof typeof DEMO;

let started: Promise<Running> | undefined;
let dir: string | undefined;

/** The base URL of the running server, `http://127.0.0.1:<port>`. */
export async function jiedao(): Promise<string> {
  if (!started) {
    dir = mkdtempSync(join(tmpdir(), 'jiedao-typed-'));
    started = startServer(dir, { seedDemo: true });
  }
  return (await started).base;
}

/** The server's OpenMetrics text (`GET /metrics`). */
export async function metrics(): Promise<string> {
  const response = await fetch(`${await jiedao()}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
  return response.text();
}

/** A jiedao process of a case's own: its URL, and `stop` ends it and removes its folder. */
export interface OwnJiedao {
  base: string;
  stop(): Promise<void>;
}

/**
 * Starts another jiedao process with demo data on its own temporary database, for a case
 * that needs other settings (`env`) than the shared one.
 */
export async function startOwnJiedao(env: Record<string, string>): Promise<OwnJiedao> {
  const own = mkdtempSync(join(tmpdir(), 'jiedao-typed-own-'));
  try {
    const { server, base, exited } = await startServer(own, { seedDemo: true, env });
    return {
      base,
      async stop() {
        server.kill('SIGTERM');
        await exited;
        rmSync(own, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(own, { recursive: true, force: true });
    throw err;
  }
}

export async function stopJiedao(): Promise<void> {
  if (started) {
    const running = await started.catch(() => undefined);
    if (running) {
      running.server.kill('SIGTERM');
      await running.exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
