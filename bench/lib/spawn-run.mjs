// Parent side of one measured run: fork lib/child.mjs, wait for its report (bounded by a hard
// deadline), then join it with what the ingestion server counted for that run.
import { fork, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './server.mjs';

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url));
const OUTPUT_KEPT = 4000;
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The runtimes a run can take place in: Node (this process's binary), and Bun and Deno from their
 * npm packages (devDependencies of the repository), each speaking Node's IPC to the parent.
 */
export const RUNTIMES = {
  node: { label: 'Node.js', execPath: process.execPath, execArgv: ['--expose-gc'] },
  bun: { label: 'Bun', execPath: path.join(REPO, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun'), execArgv: [], from: '@oven/bun-linux-x64' },
  deno: { label: 'Deno', execPath: path.join(REPO, 'node_modules', '@deno', 'linux-x64-glibc', 'deno'), execArgv: ['run', '-A', '--v8-flags=--expose-gc'], from: 'deno (its @deno/linux-x64-glibc binary)' },
};

/** The runtime named `name`, checked: its binary must be installed. */
export function runtimeOf(name) {
  const runtime = RUNTIMES[name];
  if (runtime === undefined) throw new Error(`unknown runtime "${name}": ${Object.keys(RUNTIMES).join(', ')}`);
  if (!existsSync(runtime.execPath)) throw new Error(`${name} is not installed at ${path.relative(REPO, runtime.execPath)}: npm install at the repository root installs it (${runtime.from})`);
  return runtime;
}

/** The version a runtime binary reports, e.g. "Bun 1.4.5". */
export function runtimeVersion(name) {
  if (name === 'node') return `Node.js ${process.version.slice(1)}`;
  const { stdout } = spawnSync(runtimeOf(name).execPath, ['--version'], { encoding: 'utf8' });
  const version = /(\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? '?';
  return `${RUNTIMES[name].label} ${version}`;
}

/** Waits until `predicate()` holds or `millis` pass, polling every 20 ms. */
async function until(predicate, millis) {
  const end = Date.now() + millis;
  while (!predicate() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * Runs one library once in its own process and returns the joined measurements.
 * `spec`: { lib, count, size, mode, seed, flushAt, posthogBatch, libDir, budgetMillis,
 * timeoutMillis, runtime? (node, bun or deno; default node), execArgv? }.
 */
export async function runOne(server, spec) {
  const runId = server.beginRun();
  const run = server.current;
  const finishTimeoutMillis = Math.max(1000, spec.timeoutMillis - 15_000);
  const options = { ...spec, url: server.url(runId), finishTimeoutMillis };
  const runtime = runtimeOf(spec.runtime ?? 'node');
  const child = fork(CHILD, [JSON.stringify(options)], {
    execPath: runtime.execPath,
    execArgv: [...runtime.execArgv, ...(spec.execArgv ?? [])],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  let outputLines = 0;
  const keep = (chunk) => {
    const text = chunk.toString();
    outputLines += text.split('\n').length - 1;
    if (output.length < OUTPUT_KEPT) output += text.slice(0, OUTPUT_KEPT - output.length);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let called;
  let result;
  let failure;
  child.on('message', (message) => {
    if (message.type === 'called') called = message;
    else if (message.type === 'result') result = message;
    else if (message.type === 'error') failure = message.error;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMillis);
  const exit = await exited;
  clearTimeout(timer);
  const made = result?.made ?? called?.made ?? 0;
  // A library's promise may resolve a moment before the server has decoded the last body.
  await until(() => run.unique >= made, result === undefined ? 0 : 500);
  const counted = summarize(run);
  const t0 = result?.t0 ?? called?.t0;
  const deliveredMillis = t0 !== undefined && made > 0 && counted.unique >= made ? counted.lastUniqueAt - t0 : undefined;
  return {
    lib: spec.lib,
    mode: spec.mode,
    runtime: spec.runtime ?? 'node',
    count: spec.count,
    size: spec.size,
    made,
    timedOut: exit.signal === 'SIGKILL',
    failure,
    exit,
    callMillis: result?.callMillis ?? called?.callMillis,
    perCallMicros: made > 0 && (result ?? called) !== undefined ? ((result ?? called).callMillis * 1000) / made : undefined,
    deliveredMillis,
    eventsPerSecond: deliveredMillis === undefined ? undefined : made / (deliveredMillis / 1000),
    finishedMillis: result === undefined ? undefined : result.t2 - result.t0,
    loopCpuPerCallMicros: result === undefined || made === 0 ? undefined : (result.callCpuMillis * 1000) / made,
    cpuPerCallMicros: result === undefined || made === 0 ? undefined : (result.cpuMillis * 1000) / made,
    lost: made - counted.unique,
    server: counted,
    child: result,
    output,
    outputLines,
  };
}
