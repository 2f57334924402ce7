#!/usr/bin/env node
// Durable delivery under SIGKILL: a child process makes `track` calls without end against a slow
// endpoint, printing each messageId once its call returned; it is killed at a seeded random point,
// and a second child on the same storage directory sends what the first left. Prints, per kill and
// in total, what survived. Uses the built package (npm run build first).
//
// Duplicates are set against the messages in flight at each kill: those of requests the server
// answered 2xx only after the kill signal, which the child could not mark done. An answer written
// just before the signal may still be unread by the child (a busy event loop reads its sockets
// between turns): the table shows how long before the kill the last 2xx answer was written.
// With --retry-after-every N, every Nth request is answered 429 with Retry-After 2 s, so that
// batches wait to retry while later ones are delivered past them.
//
//   node bench/reliability/crash-probe.mjs [--iterations 50] [--seed 42] [--max-calls 20000] [--answer-millis 30] [--sync-interval 0] [--retry-after-every 0]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { check, table } from './lib/measure.mjs';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '50' },
    seed: { type: 'string', default: '42' },
    'max-calls': { type: 'string', default: '20000' },
    'answer-millis': { type: 'string', default: '30' },
    'sync-interval': { type: 'string', default: '0' },
    'retry-after-every': { type: 'string', default: '0' },
  },
});
const ITERATIONS = Number(values.iterations);
const MAX_CALLS = Number(values['max-calls']);
const ANSWER_MILLIS = Number(values['answer-millis']);
const RETRY_AFTER_EVERY = Number(values['retry-after-every']);
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const FLUSH_AT = 25;
const CONCURRENT = 2;
const MAX_QUEUE_SIZE = 500;

const CHILD = `
const { writeSync } = require('node:fs');
const { Analytics } = require(${JSON.stringify(DIST)});
const [mode, host, directory, prefix] = process.argv.slice(2);
const analytics = new Analytics({ writeKey: 'probe-key', host, storage: { directory, syncInterval: ${Number(values['sync-interval'])} }, flushAt: ${FLUSH_AT}, maxQueueSize: ${MAX_QUEUE_SIZE}, maxConcurrentRequests: ${CONCURRENT} });
analytics.on('error', (error) => writeSync(2, error.code + ' ' + error.message + '\\n'));
if (mode === 'burst') {
  let i = 0;
  const turn = () => {
    for (let k = 0; k < 20; k++, i++) writeSync(1, analytics.track({ userId: 'u', event: 'Order Completed', messageId: prefix + '-' + i, properties: { i, revenue: 42.5 } }) + '\\n');
    setImmediate(turn);
  };
  turn();
} else {
  setImmediate(async () => {
    await analytics.flush();
    writeSync(1, JSON.stringify(analytics.counters) + '\\n');
    await analytics.closeAndFlush();
  });
}
`;

function random(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(file, args, killAfter) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let lines = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      for (const char of chunk) if (char === '\n') lines++;
      if (killAfter !== undefined && lines >= killAfter && killedAt === undefined) {
        killedAt = performance.now();
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('close', (code, signal) => resolve({ lines: stdout.split('\n').slice(0, -1), stderr, code, signal }));
  });
}

const ingested = new Map();
/** When the current burst was sent SIGKILL, and the messages of 2xx answers given after it. */
let killedAt;
let answeredAfterKill = 0;
let lastAnswerAt = 0;
let requests = 0;
const server = createServer((request, response) => {
  const chunks = [];
  const n = ++requests;
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    setTimeout(() => {
      if (RETRY_AFTER_EVERY > 0 && n % RETRY_AFTER_EVERY === 0) {
        response.writeHead(429, { 'retry-after': '2' }).end();
        return;
      }
      const batch = JSON.parse(Buffer.concat(chunks).toString()).batch;
      for (const message of batch) ingested.set(message.messageId, (ingested.get(message.messageId) ?? 0) + 1);
      if (killedAt !== undefined) answeredAfterKill += batch.length;
      else lastAnswerAt = performance.now();
      response.end('{}');
    }, ANSWER_MILLIS);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const host = `http://127.0.0.1:${server.address().port}`;
const root = mkdtempSync(path.join(tmpdir(), 'metarouter-crash-probe-'));
const file = path.join(root, 'child.cjs');
writeFileSync(file, CHILD);

const next = random(Number(values.seed));
const rows = [];
const totals = { returned: 0, survived: 0, duplicates: 0, maxDuplicates: 0, missing: 0, inFlight: 0, maxInFlight: 0, beyondInFlight: 0 };
process.stdout.write(`crash probe: ${ITERATIONS} kills (seed ${values.seed}), up to ${MAX_CALLS} calls each, answers after ${ANSWER_MILLIS} ms, flushAt ${FLUSH_AT}, ${CONCURRENT} requests in flight, syncInterval ${values['sync-interval']}${RETRY_AFTER_EVERY > 0 ? `, every ${RETRY_AFTER_EVERY}th request answered 429 Retry-After 2 s` : ''}\n\n`);
for (let iteration = 0; iteration < ITERATIONS; iteration++) {
  const directory = path.join(root, `spool-${iteration}`);
  const prefix = `p${iteration}`;
  const killAfter = 1 + Math.floor(next() * MAX_CALLS);
  killedAt = undefined;
  answeredAfterKill = 0;
  const burst = await run(file, ['burst', host, directory, prefix], killAfter);
  await new Promise((resolve) => setTimeout(resolve, ANSWER_MILLIS * 3));
  const inFlight = answeredAfterKill;
  const lastAnswerMillis = killedAt === undefined ? '' : (killedAt - lastAnswerAt).toFixed(1);
  killedAt = undefined;
  const deliveredBefore = [...ingested.keys()].filter((id) => id.startsWith(`${prefix}-`)).length;
  const drain = await run(file, ['drain', host, directory, prefix]);
  const counters = JSON.parse(drain.lines[0] ?? '{}');
  const missing = burst.lines.filter((id) => !ingested.has(id)).length;
  let duplicates = 0;
  for (const [id, times] of ingested) if (id.startsWith(`${prefix}-`)) duplicates += times - 1;
  totals.returned += burst.lines.length;
  totals.survived += burst.lines.length - missing;
  totals.duplicates += duplicates;
  totals.maxDuplicates = Math.max(totals.maxDuplicates, duplicates);
  totals.missing += missing;
  totals.inFlight += inFlight;
  totals.maxInFlight = Math.max(totals.maxInFlight, inFlight);
  totals.beyondInFlight += Math.max(0, duplicates - inFlight);
  rows.push([iteration, burst.lines.length, deliveredBefore, inFlight, lastAnswerMillis, counters.recovered ?? '?', burst.lines.length - missing, missing, duplicates, drain.stderr.trim().split('\n')[0] ?? '']);
}
server.close();
rmSync(root, { recursive: true, force: true });

process.stdout.write(table(['kill', 'calls returned', 'delivered before the kill', 'in flight at the kill', 'last 2xx before the kill (ms)', 'recovered by the restart', 'arrived', 'missing', 'duplicates', 'restart reported'], rows));
process.stdout.write('\ntotals\n');
process.stdout.write(
  table(
    ['iterations', 'calls returned', 'arrived', 'missing', 'in flight at the kills', 'duplicates', 'most duplicates in one kill', 'most in flight at one kill', 'duplicates beyond those in flight'],
    [[ITERATIONS, totals.returned, totals.survived, totals.missing, totals.inFlight, totals.duplicates, totals.maxDuplicates, totals.maxInFlight, totals.beyondInFlight]],
  ),
);
const checks = [
  check('every returned call arrived', totals.missing === 0, `${totals.missing} missing`),
  // The requests in flight: sent, and their answer not yet read by the child (answered after the signal, or just before it and unread).
  check(`duplicates per kill at most the requests in flight, ${CONCURRENT} × flushAt ${FLUSH_AT}`, totals.maxDuplicates <= CONCURRENT * FLUSH_AT, `${totals.maxDuplicates}`),
  check(`answered after the kill: at most ${CONCURRENT} requests × flushAt ${FLUSH_AT}`, totals.maxInFlight <= CONCURRENT * FLUSH_AT, `${totals.maxInFlight}`),
];
process.stdout.write('\nchecks\n');
process.stdout.write(table(['check', 'ok', 'detail'], checks));
process.exitCode = checks.every((row) => row[1] === 'yes') ? 0 : 1;
