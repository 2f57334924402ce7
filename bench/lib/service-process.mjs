// The traced HTTP service of the service benchmark, one process per run (forked by
// lib/service-run.mjs with an IPC channel). A `node:http` server on 127.0.0.1, port 0, traced the way
// a service owner would set it up: an AsyncLocalStorage context manager and a tracer provider whose
// BatchSpanProcessor exports to a no-op exporter. Each request runs in an active server span and
// makes one `track` call of the shared generator through the driver under test (`none`: the same
// params are built, no SDK is called), then answers a small JSON body.
//
// The parent drives it over IPC: `reset` starts a measured window (CPU, event-loop delay, request
// count), `sample` reports the window (and the CPU since the process started, for the cold-start
// benchmark), `finish` flushes the SDK and reports what it made.
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createGenerator } from './generator.mjs';
import { setupServiceTracing } from './service-tracing.mjs';

// The event-loop delay sampler's resolution: fine enough to see a 5 ms stall, coarse enough that the
// sampler's own timer costs little. The same for every SDK, so its cost cancels in "added".
const DELAY_RESOLUTION_MILLIS = 5;
const BODY = '{"ok":true}';

/** The driver of `lib`; the no-SDK service runs the harness-only driver, which calls no library. */
async function loadDriver(lib) {
  return (await import(`../drivers/${lib === 'none' ? 'generator' : lib}.mjs`)).default;
}

async function main() {
  const options = JSON.parse(process.argv[2]);
  const { api, tracer, provider } = setupServiceTracing(options.libDir, 'bench-service');
  const driver = await loadDriver(options.lib);
  const client = await driver.create({ ...options, serviceDefaults: true });
  const generator = createGenerator({ seed: options.seed, size: options.size });
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MILLIS });
  delay.enable();
  let made = 0;
  let window = { cpu: process.cpuUsage(), made: 0, at: performance.now() };

  const server = createServer((request, response) => {
    tracer.startActiveSpan('GET /checkout', { kind: api.SpanKind.SERVER }, (span) => {
      request.resume();
      client.call(generator.next(made++));
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
      response.end(BODY);
      span.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  process.on('message', async (message) => {
    if (message.type === 'reset') {
      delay.reset();
      window = { cpu: process.cpuUsage(), made, at: performance.now() };
      process.send({ type: 'reset' });
    } else if (message.type === 'sample') {
      const cpu = process.cpuUsage(window.cpu);
      const sinceStart = process.cpuUsage();
      process.send({
        type: 'sample',
        requests: made - window.made,
        millis: performance.now() - window.at,
        cpuMicros: cpu.user + cpu.system,
        cpuSinceStartMicros: sinceStart.user + sinceStart.system,
        sinceStartMillis: performance.now(),
        // Nanoseconds, as the histogram keeps them.
        delay: { mean: delay.mean, p50: delay.percentile(50), p99: delay.percentile(99), p999: delay.percentile(99.9), max: delay.max },
        rss: process.memoryUsage.rss(),
        maxRss: process.resourceUsage().maxRSS * 1024,
      });
    } else if (message.type === 'finish') {
      server.closeAllConnections();
      server.close();
      const finish = await client.finish(options.finishTimeoutMillis);
      await provider.shutdown();
      process.send({ type: 'finished', made, finish, maxRss: process.resourceUsage().maxRSS * 1024 }, () => process.exit(0));
    }
  });
  process.send({ type: 'ready', port: server.address().port, sinceStartMillis: performance.now() });
}

main().catch((error) => {
  process.send({ type: 'error', error: String(error?.stack ?? error) }, () => process.exit(1));
});
