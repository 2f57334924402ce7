// @segment/analytics-node with the configuration (flushAt 700) and its own defaults
// otherwise (10 s request timeout, 10 retries, no bound on what it holds). The service benchmark
// (serviceDefaults) keeps its default flushAt, 15.
import { Analytics } from '@segment/analytics-node';
import { installedVersion } from './versions.mjs';

export default {
  name: 'segment',
  async create({ url, flushAt, serviceDefaults }) {
    // Segment resolves `path` against `host` as a URL, dropping a path on the host: split them.
    const { origin, pathname } = new URL(url);
    const version = installedVersion('@segment/analytics-node');
    const analytics = new Analytics({ writeKey: 'bench-write-key', host: origin, path: `${pathname}/v1/batch`, flushAt: serviceDefaults ? undefined : flushAt });
    const errors = {};
    let requests = 0;
    let retries = 0;
    analytics.on('error', (error) => {
      const code = error?.code ?? 'error';
      errors[code] = (errors[code] ?? 0) + 1;
    });
    analytics.on('http_request', ({ headers }) => {
      requests++;
      if (headers?.['X-Retry-Count'] !== undefined) retries++;
    });
    await analytics.ready;
    return {
      version,
      call(params) {
        analytics.track(params);
      },
      async finish(timeoutMillis) {
        await analytics.closeAndFlush({ timeout: timeoutMillis });
        return { version, errors, counters: { requests, retries } };
      },
    };
  },
};
