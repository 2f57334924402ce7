// metarouter-otel, the library under test: the built package (dist/), its full default call path.
// `new Analytics({...})` with the built-in pipeline; calls run inside an active span (the harness),
// so each call validates, snapshots, queues the serialized message into its pipeline, and marks the span.
import { createRequire } from 'node:module';
import path from 'node:path';

export default {
  name: 'metarouter',
  async create({ url, count, flushAt, libDir, ourDefaults, serviceDefaults, extraOptions = {} }) {
    const require = createRequire(import.meta.url);
    const { Analytics } = require(path.join(libDir, 'index.js'));
    const version = require(path.join(libDir, '..', 'package.json')).version;
    // Room for the whole burst: the benchmark measures speed, not the overflow policy (the
    // default, 10,000, drops the rest of a 100,000-call burst and reports it). --our-defaults
    // shows that: only writeKey and host, every other option at the library's default. The service
    // benchmark (serviceDefaults) runs every SDK at its defaults.
    const options = { ...(ourDefaults || serviceDefaults ? {} : { flushAt, maxQueueSize: Math.max(count, 10_000) }), ...extraOptions };
    const analytics = new Analytics({ writeKey: 'bench-write-key', host: url, ...options });
    const errors = {};
    analytics.on('error', (error) => {
      const ids = error.messageIds?.length ?? 0;
      errors[error.code] = (errors[error.code] ?? 0) + Math.max(ids, 1);
    });
    return {
      version,
      call(params) {
        analytics.track(params);
      },
      async finish(timeoutMillis) {
        await analytics.closeAndFlush({ timeout: timeoutMillis });
        return { version, errors, counters: { ...(analytics.counters ?? analytics.exporter?.counters) } };
      },
    };
  },
};
