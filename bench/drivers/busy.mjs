// The service benchmark's calibration (`node bench/service.mjs --only none,busy`): no SDK, but a
// fixed 25 µs of busy CPU per request on top of the harness-only driver. What the table shows for it
// (added CPU, added percentiles) is what the harness makes of a known cost on this machine, against
// which an SDK's figures can be read.
import generator from './generator.mjs';

const BUSY_NANOS = 25_000n;

export default {
  name: 'busy',
  async create(options) {
    const harness = await generator.create(options);
    return {
      ...harness,
      call(params) {
        harness.call(params);
        const end = process.hrtime.bigint() + BUSY_NANOS;
        while (process.hrtime.bigint() < end);
      },
    };
  },
};
