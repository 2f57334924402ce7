// Parent side of one service run: fork lib/service-process.mjs, load it with autocannon at a fixed
// rate (a warm-up, then the measured window), sample its CPU and event-loop delay over the window,
// then have it flush its SDK and join what it made with what the ingestion server counted.
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAverage } from './machine.mjs';
import { summarize } from './server.mjs';
import { sendsMessages } from './service-summary.mjs';

const SERVICE = fileURLToPath(new URL('./service-process.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./load-process.mjs', import.meta.url));
const OUTPUT_KEPT = 4000;
const PERCENTILES = ['p50', 'p90', 'p99', 'p99_9', 'p99_99'];

async function until(predicate, millis) {
  const end = Date.now() + millis;
  while (!predicate() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Loads the service for `seconds` from lib/load-process.mjs; resolves with autocannon's figures. */
function load(port, { rate, connections, seconds }) {
  const child = fork(LOAD, [JSON.stringify({ url: `http://127.0.0.1:${port}/checkout`, rate, connections, seconds })], { stdio: 'ignore' });
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  return new Promise((resolve, reject) => {
    let result;
    child.on('message', (message) => (result = message));
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      if (result === undefined) reject(new Error(`the load generator ended with ${signal ?? `exit code ${code}`} and no result`));
      else resolve(result);
    });
  });
}

/** Sends `message` to the child and resolves with its answer of type `answer`. */
function ask(child, message, answer, millis) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not answer "${message.type}" within ${millis} ms`)), millis);
    const onMessage = (reply) => {
      if (reply.type !== answer) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(reply);
    };
    child.on('message', onMessage);
    if (message.type !== 'none') child.send(message);
  });
}

/**
 * Runs one SDK once at one rate and returns the measurements.
 * spec: { lib, rate, connections, warmSeconds, seconds, size, seed, libDir, timeoutMillis, execArgv?,
 * outputFile? (the service's whole output, e.g. with --trace-gc) }
 */
export async function runService(server, spec) {
  const runId = server.beginRun();
  const run = server.current;
  const finishTimeoutMillis = Math.max(1000, spec.timeoutMillis - 10_000);
  const child = fork(SERVICE, [JSON.stringify({ ...spec, url: server.url(runId), finishTimeoutMillis })], {
    execArgv: spec.execArgv ?? [],
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
  if (spec.outputFile !== undefined) {
    const file = createWriteStream(spec.outputFile);
    child.stdout.pipe(file);
  } else {
    child.stdout.on('data', keep);
  }
  child.stderr.on('data', keep);
  let failure;
  child.on('message', (message) => {
    if (message.type === 'error') failure = message.error;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const killer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMillis + (spec.warmSeconds + spec.seconds) * 1000);
  const result = { lib: spec.lib, rate: spec.rate, output: '', outputLines: 0 };
  try {
    const ready = await Promise.race([ask(child, { type: 'none' }, 'ready', 20_000), exited.then(() => Promise.reject(new Error(failure ?? 'the service exited before it was ready')))]);
    if (spec.warmSeconds > 0) await load(ready.port, { ...spec, seconds: spec.warmSeconds });
    await ask(child, { type: 'reset' }, 'reset', 10_000);
    result.loadAverage = loadAverage();
    const measured = await load(ready.port, spec);
    const sample = await ask(child, { type: 'sample' }, 'sample', 10_000);
    const finished = await ask(child, { type: 'finish' }, 'finished', spec.timeoutMillis);
    await exited;
    // The SDK's flush may resolve a moment before the server has decoded the last body.
    await until(() => run.unique >= finished.made, sendsMessages(spec.lib) ? 1000 : 0);
    const counted = summarize(run);
    Object.assign(result, {
      requests: measured.requests.total,
      sent: measured.requests.sent,
      errors: measured.errors,
      timeouts: measured.timeouts,
      non2xx: measured.non2xx,
      latency: Object.fromEntries([...PERCENTILES.map((key) => [key, measured.latency[key]]), ['max', measured.latency.max], ['mean', measured.latency.mean]]),
      achievedRate: sample.requests / (sample.millis / 1000),
      cpuPerRequestMicros: sample.requests > 0 ? sample.cpuMicros / sample.requests : undefined,
      cpuShare: sample.cpuMicros / 1000 / sample.millis,
      delayMillis: Object.fromEntries(Object.entries(sample.delay).map(([key, nanos]) => [key, nanos / 1e6])),
      maxRss: finished.maxRss,
      made: finished.made,
      finish: finished.finish,
      delivered: counted.unique,
      duplicates: counted.duplicates,
      lost: sendsMessages(spec.lib) ? finished.made - counted.unique : 0,
      sdkRequests: counted.requests,
    });
  } catch (error) {
    result.failure = String(error?.message ?? error);
    child.kill('SIGKILL');
    await exited;
  } finally {
    clearTimeout(killer);
  }
  if (failure !== undefined) result.failure ??= failure.split('\n')[0];
  result.output = output;
  result.outputLines = outputLines;
  return result;
}
