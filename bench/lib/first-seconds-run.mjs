// Parent side of one "first seconds" run of the cold-start benchmark: the traced service of
// lib/service-process.mjs (its SDK at its defaults), loaded by autocannon at a fixed rate from the
// moment it listens until `windowMillis` after its process started; then the CPU (user + system, all
// threads) it spent since it started: loading the SDK, the tracing and the service, and serving.
// The load generator is started first and waits, so the load begins as soon as the service is up.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { summarize } from './server.mjs';
import { sendsMessages } from './service-summary.mjs';

const SERVICE = fileURLToPath(new URL('./service-process.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./load-process.mjs', import.meta.url));

async function until(predicate, millis) {
  const end = Date.now() + millis;
  while (!predicate() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Resolves with the first message of `child` of type `type`; rejects if it exits first or after `millis`. */
function nextMessage(child, type, millis) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no "${type}" from the child within ${millis} ms`)), millis);
    const onMessage = (message) => {
      if (message.type === 'error') done(new Error(message.error.split('\n')[0]));
      else if (message.type === type || type === undefined) done(undefined, message);
    };
    const onExit = (code, signal) => done(new Error(`the child ended with ${signal ?? `exit code ${code}`} before "${type}"`));
    function done(error, message) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error === undefined) resolve(message);
      else reject(error);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Runs one SDK's service once and returns its CPU over the first `windowMillis` of its life.
 * spec: { lib, rate, connections, windowMillis, size, seed, libDir, timeoutMillis }
 */
export async function runFirstSeconds(server, spec) {
  const runId = server.beginRun();
  const run = server.current;
  const loader = fork(LOAD, [], { stdio: 'ignore' });
  const loaderExited = new Promise((resolve) => loader.once('exit', resolve));
  const service = fork(SERVICE, [JSON.stringify({ ...spec, url: server.url(runId), finishTimeoutMillis: Math.max(1000, spec.timeoutMillis - 10_000) })], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const serviceExited = new Promise((resolve) => service.once('exit', resolve));
  let errorOutput = '';
  service.stderr.on('data', (chunk) => (errorOutput += chunk.toString().slice(0, 2000)));
  const result = { lib: spec.lib, rate: spec.rate };
  try {
    const ready = await nextMessage(service, 'ready', 30_000);
    const seconds = Math.max(0, spec.windowMillis - ready.sinceStartMillis) / 1000;
    const loaded = nextMessage(loader, undefined, (seconds + 30) * 1000);
    loader.send({ url: `http://127.0.0.1:${ready.port}/checkout`, rate: spec.rate, connections: spec.connections, seconds });
    // The sample is taken when the window ends by the service's clock, not when autocannon returns.
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const sampled = nextMessage(service, 'sample', 10_000);
    service.send({ type: 'sample' });
    const sample = await sampled;
    const load = await loaded;
    const finished = nextMessage(service, 'finished', spec.timeoutMillis);
    service.send({ type: 'finish' });
    const finish = await finished;
    // The SDK's flush may resolve a moment before the server has decoded the last body.
    await until(() => run.unique >= finish.made, sendsMessages(spec.lib) ? 1000 : 0);
    const counted = summarize(run);
    Object.assign(result, {
      readyMillis: ready.sinceStartMillis,
      sampledMillis: sample.sinceStartMillis,
      cpuMillis: sample.cpuSinceStartMicros / 1000,
      requests: load.requests.total,
      errors: load.errors + load.non2xx + load.timeouts,
      made: finish.made,
      delivered: counted.unique,
      lost: sendsMessages(spec.lib) ? finish.made - counted.unique : 0,
    });
  } catch (error) {
    result.failure = `${error.message}${errorOutput === '' ? '' : `: ${errorOutput.split('\n')[0]}`}`;
    service.kill('SIGKILL');
    loader.kill('SIGKILL');
  }
  await Promise.all([serviceExited, loaderExited]);
  return result;
}
