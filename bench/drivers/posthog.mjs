// posthog-node with the configuration (batches of 840) and room for the whole burst
// (its default maxQueueSize, 10,000, silently drops the oldest events of a larger burst).
// Its defaults otherwise: gzip bodies, 10 s request timeout, 3 retries. The service benchmark
// (serviceDefaults) gives it the host alone (flushAt 20).
import { PostHog } from 'posthog-node';
import { installedVersion } from './versions.mjs';

export default {
  name: 'posthog',
  async create({ url, count, posthogBatch, serviceDefaults }) {
    const version = installedVersion('posthog-node');
    const sizes = serviceDefaults ? {} : { flushAt: posthogBatch, maxBatchSize: posthogBatch, maxQueueSize: Math.max(count, 10_000) };
    const client = new PostHog('phc_bench_project_token', { host: url, ...sizes });
    const errors = {};
    client.on('error', (error) => {
      const code = error?.name ?? 'error';
      errors[code] = (errors[code] ?? 0) + 1;
    });
    return {
      version,
      call({ userId, event, properties }) {
        client.capture({ distinctId: userId, event, properties });
      },
      async finish(timeoutMillis) {
        await client.shutdown(timeoutMillis);
        return { version, errors };
      },
    };
  },
};
