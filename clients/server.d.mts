// Types of server.mjs for the TypeScript client test (typed/).
import type { ChildProcess } from 'node:child_process';

export declare const BIN: string;

export interface Running {
  server: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** Resolves with the exit code once the server has exited. */
  exited: Promise<number | null>;
  /** What the server printed so far, with `captureStdout` (else empty). */
  output: () => string;
}

export declare function startServer(
  dir: string,
  options?: { seedDemo?: boolean; env?: Record<string, string>; captureStdout?: boolean },
): Promise<Running>;
