// One cold-start sample, alone in a fresh process (spawned by cold-start.mjs, no IPC channel, so that
// nothing but the library loads): load one SDK (`require` or `import`), make a client at its defaults
// but the host, make one `track` call, await its flush, close it, and print the timings as one JSON
// line. Every time is `performance.now()`: milliseconds since the process started
// (`performance.timeOrigin`), which the parent adds to compare with when its server got the batch.
// `none` loads nothing and sends one request with the runtime's fetch: the floor every SDK stands on.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const scriptAt = performance.now();
const { lib, via, url, libDir } = JSON.parse(process.argv[2]);
const requireHere = createRequire(import.meta.url);
const EVENT = { userId: 'cold-user', event: 'Cold Start', properties: { seq: 0, plan: 'pro' } };

/** How each SDK is loaded, configured and flushed: its defaults but the host (and what it needs to send over http). */
const SDKS = {
  none: {
    load: async () => ({}),
    create: () => ({}),
    async track() {
      const body = JSON.stringify({ batch: [{ type: 'track', ...EVENT, messageId: 'cold-0' }], sentAt: new Date().toISOString() });
      await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((response) => response.arrayBuffer());
    },
    flush: async () => {},
    close: async () => {},
  },
  metarouter: {
    load: () => (via === 'require' ? requireHere(path.join(libDir, 'index.js')) : import(pathToFileURL(path.join(libDir, 'index.mjs')).href)),
    create: ({ Analytics }) => new Analytics({ writeKey: 'bench-write-key', host: url }),
    track: (client) => client.track(EVENT),
    flush: (client) => client.flush(),
    close: (client) => client.shutdown(),
  },
  segment: {
    load: () => (via === 'require' ? requireHere('@segment/analytics-node') : import('@segment/analytics-node')),
    create({ Analytics }) {
      // Segment resolves `path` against `host`, dropping a path on the host: split them.
      const { origin, pathname } = new URL(url);
      return new Analytics({ writeKey: 'bench-write-key', host: origin, path: `${pathname}/v1/batch` });
    },
    track: (client) => client.track(EVENT),
    flush: (client) => client.flush(),
    close: (client) => client.closeAndFlush(),
  },
  posthog: {
    load: () => (via === 'require' ? requireHere('posthog-node') : import('posthog-node')),
    create: ({ PostHog }) => new PostHog('phc_bench_project_token', { host: url }),
    track: (client) => client.capture({ distinctId: EVENT.userId, event: EVENT.event, properties: EVENT.properties }),
    flush: (client) => client.flush(),
    close: (client) => client.shutdown(),
  },
};

const sdk = SDKS[lib];
const loadStart = performance.now();
const module = await sdk.load();
const loaded = performance.now();
const client = sdk.create(module);
const created = performance.now();
await sdk.track(client);
const tracked = performance.now();
await sdk.flush(client);
const flushed = performance.now();
const cpu = process.cpuUsage();
await sdk.close(client);
const closed = performance.now();
// CPU (user + system, all threads) from the process's start until the flush resolved: steadier than
// the wall-clock times when other processes compete for the machine.
const cpuMillis = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ timeOrigin: performance.timeOrigin, scriptAt, loadStart, loaded, created, tracked, flushed, closed, cpuMillis })}\n`);
