// @rudderstack/rudder-sdk-node with flushAt 700 and room for the whole burst (maxInternalQueueSize;
// its default, 20,000, drops newer events and logs it). Its defaults otherwise: gzip bodies,
// 3 retries, and a flush that sends `flushAt` events at a time, one request after the other.
// Every call re-serializes the whole queue to check its byte size, so a long burst is slow: the
// harness stops calling at the time budget and reports how many calls were made.
import Rudder from '@rudderstack/rudder-sdk-node';
import { installedVersion } from './versions.mjs';

export default {
  name: 'rudder',
  async create({ url, count, flushAt }) {
    const version = installedVersion('@rudderstack/rudder-sdk-node');
    const errors = {};
    const client = new Rudder('bench-write-key', {
      dataPlaneUrl: url,
      flushAt,
      maxInternalQueueSize: Math.max(count, 20_000),
      logLevel: 'error',
      errorHandler: (error) => {
        const code = error?.code ?? error?.response?.status ?? 'error';
        errors[code] = (errors[code] ?? 0) + 1;
      },
    });
    return {
      version,
      call(params) {
        client.track(params);
      },
      async finish(timeoutMillis) {
        const deadline = Date.now() + timeoutMillis;
        // flush() sends one batch of flushAt events per call; drain until nothing is queued.
        while (client.queue.length > 0 && Date.now() < deadline) await client.flush().catch(() => undefined);
        await client.pendingFlush?.catch(() => undefined);
        return { version, errors, left: client.queue.length };
      },
    };
  },
};
