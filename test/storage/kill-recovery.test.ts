import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { Analytics, ConfigurationError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';

/** The package as compiled beside this test. */
const INDEX = resolve(__dirname, '..', '..', 'src', 'index.js');
const SEED = 0x5eed12;
const ITERATIONS = 6;
const MAX_QUEUE_SIZE = 200;
/** Requests the child keeps in flight, of `flushAt` messages each: at most this many messages are in flight at a kill. */
const IN_FLIGHT_MESSAGES = 2 * 25;
/** Messages of the front-batch-waits case: every batch fits in memory. */
const FRONT_WAITS = 150;

const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-kill-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * The child: `burst` makes track calls without end (20 per turn of the event loop) and prints each
 * messageId once its call has returned; `drain` opens the same directory, flushes and prints its counters.
 */
const CHILD = `
const { writeSync } = require('node:fs');
const { Analytics } = require(${JSON.stringify(INDEX)});
const [mode, host, directory, prefix] = process.argv.slice(2);
const analytics = new Analytics({ writeKey: 'kill-key', host, storage: { directory }, flushAt: 25, maxQueueSize: ${MAX_QUEUE_SIZE}, maxConcurrentRequests: 2 });
analytics.on('error', (error) => writeSync(2, error.code + ' ' + error.message + '\\n'));
if (mode === 'burst') {
  let i = 0;
  const turn = () => {
    for (let k = 0; k < 20; k++, i++) writeSync(1, analytics.track({ userId: 'u', event: 'Order Completed', messageId: prefix + '-' + i, properties: { i } }) + '\\n');
    setImmediate(turn);
  };
  turn();
} else if (mode === 'front-waits') {
  // ${FRONT_WAITS} calls at once; once every batch but the front one (told to wait) is delivered, says so and idles.
  for (let i = 0; i < ${FRONT_WAITS}; i++) analytics.track({ userId: 'u', event: 'Order Completed', messageId: prefix + '-' + i, properties: { i } });
  const poll = setInterval(() => {
    if (analytics.counters.delivered < ${FRONT_WAITS - 25}) return;
    writeSync(1, JSON.stringify(analytics.counters) + '\\n');
    clearInterval(poll);
    setInterval(() => {}, 1000);
  }, 10);
} else if (mode === 'hold') {
  writeSync(1, 'ready\\n');
  setInterval(() => {}, 1000);
} else {
  setImmediate(async () => {
    await analytics.flush();
    writeSync(1, JSON.stringify(analytics.counters) + '\\n');
    await analytics.closeAndFlush();
  });
}
`;

/** mulberry32: a small seeded generator, so that a failing kill point replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs the child; with `killAfter`, sends SIGKILL once it printed that many lines. Resolves with its stdout lines. */
function run(file: string, args: string[], killAfter?: number): Promise<{ lines: string[]; stderr: string; signal: NodeJS.Signals | null }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (killAfter !== undefined && stdout.split('\n').length > killAfter) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      // A line cut by the kill is not a returned call.
      const lines = stdout.split('\n').slice(0, -1);
      resolveRun({ lines, stderr, signal });
    });
  });
}

test(`SIGKILL at ${ITERATIONS} seeded random points of a burst against a slow endpoint (seed ${SEED}): every call that returned arrives after a restart; duplicates only from requests unacknowledged at the kill`, { timeout: 120_000 }, async (t) => {
  const next = random(SEED);
  // A slow endpoint (30 ms an answer): at the kill, requests are in flight and most messages are only on disk.
  const server = await startIngestServer(async () => {
    await new Promise((resolveWait) => setTimeout(resolveWait, 30));
    return { status: 200 };
  });
  const file = join(root, 'child.js');
  writeFileSync(file, CHILD);
  const figures: string[] = [];
  try {
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const directory = join(root, `spool-${iteration}`);
      const prefix = `k${iteration}`;
      const killAfter = 50 + Math.floor(next() * 2000);
      const burst = await run(file, ['burst', server.url, directory, prefix], killAfter);
      assert.equal(burst.signal, 'SIGKILL', `iteration ${iteration}: the burst was killed (stderr: ${burst.stderr})`);
      const returned = burst.lines;
      // Requests the server was still answering (30 ms each) when the child died are taken first.
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
      const beforeRestart = new Set(server.accepted.map((message) => message.messageId as string).filter((id) => id.startsWith(`${prefix}-`)));

      const newest = readdirSync(directory).filter((name) => /^segment-\d+\.log$/.test(name)).sort().at(-1);
      const drain = await run(file, ['drain', server.url, directory, prefix]);
      assert.equal(drain.signal, null, `iteration ${iteration}: the restart ended on its own`);
      // A kill inside a call's write(2) may leave that record torn (Linux stops a write to a file between pages
      // for a fatal signal): the call never returned, so it is cut off and reported. Nothing else may be reported.
      const reports = drain.stderr.split('\n').filter((line) => line !== '');
      const tornTail = new RegExp(`^MR_ERR_STORAGE_CORRUPT ${newest?.replace('.', '\\.')} holds a torn record at its end `);
      assert.ok(reports.length === 0 || (reports.length === 1 && tornTail.test(reports[0]!)), `iteration ${iteration}: the restart reported only a torn end of the newest segment, if anything: ${drain.stderr}`);
      const ours = server.accepted.map((message) => message.messageId as string).filter((id) => id.startsWith(`${prefix}-`));
      const arrived = new Set(ours);
      const missing = returned.filter((id) => !arrived.has(id));
      assert.deepEqual(missing, [], `iteration ${iteration}: killed after ${returned.length} returned calls, every one arrives`);
      const duplicates = ours.length - arrived.size;
      const counters = JSON.parse(drain.lines[0]!) as { recovered: number; delivered: number; pending: number };
      assert.equal(counters.pending, 0);
      assert.ok(duplicates <= IN_FLIGHT_MESSAGES, `iteration ${iteration}: ${duplicates} duplicates, at most the requests in flight at the kill`);
      // Every duplicate is a message the server had taken before the restart sent it again.
      for (const id of new Set(ours.filter((id, index) => ours.indexOf(id) !== index))) assert.ok(beforeRestart.has(id), `${id}: duplicated only if delivered before the kill`);
      figures.push(`kill after ${returned.length} calls: ${beforeRestart.size} delivered before, ${counters.recovered} recovered, ${duplicates} duplicates`);
    }
  } finally {
    await server.close();
  }
  for (const line of figures) t.diagnostic(line);
});

test('SIGKILL while the front batch waits out a Retry-After and every later batch was delivered: the restart sends the front batch only, no duplicates', { timeout: 30_000 }, async () => {
  const prefix = 'front';
  const front = `${prefix}-0`;
  let waited = false;
  // The front batch is told to come back in an hour, once; everything else is taken at once.
  const server = await startIngestServer((request) => {
    if (!waited && request.messageIds.includes(front)) {
      waited = true;
      return { status: 429, headers: { 'retry-after': '3600' } };
    }
    return { status: 200 };
  });
  const file = join(root, 'child.js');
  writeFileSync(file, CHILD);
  const directory = join(root, 'front-waits');
  try {
    const held = await run(file, ['front-waits', server.url, directory, prefix], 1);
    assert.equal(held.signal, 'SIGKILL', `the child was killed while the front batch waited (stderr: ${held.stderr})`);
    const atKill = JSON.parse(held.lines[0]!) as { delivered: number; pending: number };
    assert.deepEqual([atKill.delivered, atKill.pending], [FRONT_WAITS - 25, 25], 'at the kill, only the front batch was unsettled, and no request was in flight');
    const beforeRestart = server.accepted.length;

    const drain = await run(file, ['drain', server.url, directory, prefix]);
    assert.equal(drain.stderr, '', 'the restart reported nothing');
    const resent = server.accepted.slice(beforeRestart).map((message) => message.messageId as string);
    assert.deepEqual(resent, Array.from({ length: 25 }, (_, i) => `${prefix}-${i}`), 'only the front batch is sent by the restart');
    const all = new Set(server.accepted.map((message) => message.messageId));
    assert.equal(all.size, FRONT_WAITS, 'every call arrived');
    assert.equal(server.accepted.length, FRONT_WAITS, 'no duplicates');
  } finally {
    await server.close();
  }
});

test('two processes on one directory: the second is refused while the first lives, and takes the directory over once it was killed', { timeout: 30_000 }, async () => {
  const file = join(root, 'child.js');
  writeFileSync(file, CHILD);
  const directory = join(root, 'shared');
  const child = spawn(process.execPath, [file, 'hold', 'http://127.0.0.1:9', directory, 'h'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ready) => child.stdout.once('data', () => ready()));
  const open = () => new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', storage: { directory } });
  assert.throws(open, (error: unknown) => error instanceof ConfigurationError && error.message.includes(`in use by process ${child.pid}`));
  const exited = new Promise((resolveExit) => child.once('close', resolveExit));
  child.kill('SIGKILL');
  await exited;
  const taken = open();
  await taken.closeAndFlush({ timeout: 0 });
});

test('a script that ends during an outage, with storage and a long retry budget, exits after one attempt: the message stays on disk for the next start', async () => {
  const directory = join(root, 'ends');
  const file = join(root, 'ends.js');
  writeFileSync(file, `
const { Analytics } = require(${JSON.stringify(INDEX)});
const [host, directory] = process.argv.slice(2);
const analytics = new Analytics({ writeKey: 'k', host, maxRetries: 1000000, maxRetryDuration: 3600000, storage: { directory } });
analytics.on('error', () => {});
analytics.track({ userId: 'u', event: 'E', messageId: 'ends-1' });
`);
  const down = await startIngestServer(() => ({ status: 503 }));
  const { signal } = await run(file, [down.url, directory]);
  await down.close();
  assert.equal(signal, null, 'the script ended on its own, not by the guard');

  const up = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: up.url, storage: { directory } });
  try {
    await new Promise((resolve) => setImmediate(resolve));
    await analytics.flush();
    assert.deepEqual(up.accepted.map((message) => message.messageId), ['ends-1']);
  } finally {
    await analytics.closeAndFlush();
    await up.close();
  }
});
