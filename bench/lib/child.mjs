// One measured run, alone in its own process (forked by lib/spawn-run.mjs with an IPC channel):
// set up OpenTelemetry tracing like a real service, build one library's client, make `count`
// `track` calls from the shared generator, then wait until the library says it has delivered.
// Reports timings and peak RSS to the parent; the parent's ingestion server knows what arrived.
//
// Every driver runs under the same harness: an AsyncLocalStorage context manager is registered,
// and every 100 calls run inside a fresh active span of a real tracer provider (a request of a
// service). Peers ignore the span; metarouter-otel correlates with it and marks it. A driver with
// `outsideSpans` gets the same span started and ended, but never active: its calls run outside spans.
import { createRequire } from 'node:module';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { createGenerator } from './generator.mjs';

const CHUNK = 100;
const WARM_CALLS = 50_000;
const now = () => performance.timeOrigin + performance.now();
// Monotonic microseconds: the clock of V8's CPU profiles, so profile.mjs can find the call loop.
const hrMicros = () => Number(process.hrtime.bigint() / 1000n);

function setupTracing(libDir) {
  // Resolve OpenTelemetry from where the library under test resolves it: one API copy for both.
  const require = createRequire(path.join(libDir, 'index.js'));
  const api = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider();
  return { require, api, tracer: provider.getTracer('bench-service') };
}

/** Runs `calls` as one request of the service: inside a fresh active span, or beside it. */
function inRequest(tracer, outsideSpans, name, calls) {
  if (outsideSpans) {
    const span = tracer.startSpan(name);
    calls();
    span.end();
    return;
  }
  tracer.startActiveSpan(name, (span) => {
    calls();
    span.end();
  });
}

// Runs the harness (generator and spans) without a library until V8 has optimized it, so that the
// measured loop times the library, not the harness warming up. The library itself starts cold.
function warmHarness(tracer, generator) {
  let sink = 0;
  for (let made = 0; made < WARM_CALLS; made += CHUNK) {
    tracer.startActiveSpan('warm-up', (span) => {
      for (let seq = made; seq < made + CHUNK; seq++) sink += generator.next(seq).properties.seq;
      span.end();
    });
  }
  return sink;
}

// With --warm N: a first client of the same library makes N calls to a path the server answers
// but does not count, and is closed; the measured client then runs on code V8 has optimized.
async function warmLibrary(driver, options, tracing) {
  const generator = createGenerator({ seed: options.seed + 2, size: options.size });
  const client = await driver.create({ ...options, count: options.warmCalls, url: `${options.url}/warm-up`, tracing });
  for (let made = 0; made < options.warmCalls; made += CHUNK) {
    inRequest(tracing.tracer, driver.outsideSpans === true, 'warm-up', () => {
      for (let seq = made; seq < Math.min(options.warmCalls, made + CHUNK); seq++) client.call(generator.next(seq));
    });
  }
  await client.finish(options.finishTimeoutMillis);
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const { lib, count, size, mode, seed, budgetMillis, finishTimeoutMillis } = options;
  const tracing = setupTracing(options.libDir);
  const driver = (await import(`../drivers/${lib}.mjs`)).default;
  const generator = createGenerator({ seed, size });
  warmHarness(tracing.tracer, createGenerator({ seed: seed + 1, size }));
  if (options.warmCalls > 0) await warmLibrary(driver, options, tracing);
  const client = await driver.create({ ...options, tracing });
  globalThis.gc?.();
  const rssAtStart = process.memoryUsage.rss();
  const cpuAtStart = process.cpuUsage();
  const { tracer } = tracing;
  const outsideSpans = driver.outsideSpans === true;
  const t0 = now();
  const hr0 = hrMicros();
  let callMillis = 0;
  // CPU time of the same loop (all threads): unlike wall time, not inflated when the machine is
  // busy with other processes.
  let callCpuMillis = 0;
  let made = 0;
  let stoppedByBudget = false;
  while (made < count) {
    const end = Math.min(count, made + CHUNK);
    const cpu0 = process.cpuUsage();
    const c0 = performance.now();
    inRequest(tracer, outsideSpans, 'GET /checkout', () => {
      for (let seq = made; seq < end; seq++) client.call(generator.next(seq));
    });
    callMillis += performance.now() - c0;
    const cpu1 = process.cpuUsage(cpu0);
    callCpuMillis += (cpu1.user + cpu1.system) / 1000;
    made = end;
    if (mode === 'paced') await yieldToLoop();
    if (budgetMillis > 0 && callMillis > budgetMillis && made < count) {
      stoppedByBudget = true;
      break;
    }
  }
  const t1 = now();
  const hr1 = hrMicros();
  process.send({ type: 'called', made, t0, t1, callMillis });
  const finish = await client.finish(finishTimeoutMillis);
  const t2 = now();
  const usage = process.resourceUsage();
  const cpu = process.cpuUsage(cpuAtStart);
  const result = {
    type: 'result',
    made,
    stoppedByBudget,
    t0,
    t1,
    t2,
    hr0,
    hr1,
    hr2: hrMicros(),
    callMillis,
    callCpuMillis,
    rssAtStart,
    maxRss: usage.maxRSS * 1024,
    // CPU of the whole process (all threads) from the first call until the library's flush
    // resolved: the calls, the work they deferred to promises, and delivery.
    cpuMillis: (cpu.user + cpu.system) / 1000,
    shape: generator.shape,
    finish,
  };
  process.send(result, () => process.exit(0));
}

main().catch((error) => {
  process.send({ type: 'error', error: String(error?.stack ?? error) }, () => process.exit(1));
});
