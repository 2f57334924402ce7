import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The built CLI, as `npx metarouter-otel` runs it (<repo>/dist/cli/main.js); METAROUTER_OTEL_CLI points at another build. */
export const CLI = process.env.METAROUTER_OTEL_CLI ?? join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');

/** A `metarouter-otel bridge` process that printed the URL it listens on. */
export interface BridgeCli {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves with the exit code once the process ended. */
  readonly exited: Promise<number | null>;
  /** What it wrote to stderr so far. */
  stderr(): string;
}

/** Starts `metarouter-otel bridge ARGS` and waits for its "listening on" line; rejects (with stderr) if it ends first. */
export async function startBridgeCli(args: readonly string[]): Promise<BridgeCli> {
  const child = spawn(process.execPath, [CLI, 'bridge', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const firstLine = await new Promise<string>((done, fail) => {
    lines.once('line', done);
    lines.once('close', () => fail(new Error(`the CLI closed its stdout; stderr: ${stderr}`)));
  });
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(firstLine)?.[1];
  if (url === undefined) {
    child.kill('SIGKILL');
    throw new Error(`the CLI's first line names no URL: ${firstLine}; stderr: ${stderr}`);
  }
  return { child, url, exited, stderr: () => stderr };
}
