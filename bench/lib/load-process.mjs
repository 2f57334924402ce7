// The load generator of the service benchmark in a process of its own: autocannon at a fixed rate
// against the service, its result sent to the parent over IPC. Apart from the parent, whose
// ingestion server decodes the SDKs' batches, so that decoding never delays the timing of responses.
// Without an argument it loads autocannon, then waits for its spec as its first IPC message: the
// cold-start benchmark starts it before the service, so the load begins as soon as the service is up.
import { createRequire } from 'node:module';

const autocannon = createRequire(import.meta.url)('autocannon');
const spec = process.argv[2] === undefined ? await new Promise((resolve) => process.once('message', resolve)) : JSON.parse(process.argv[2]);
const { url, rate, connections, seconds } = spec;
const result = await autocannon({
  url,
  connections,
  overallRate: rate,
  duration: seconds,
  // autocannon's correction assumes one request per millisecond per connection, which is not this
  // schedule (the connections share the rate); the raw response times are the honest figures.
  ignoreCoordinatedOmission: true,
});
const { latency, requests, errors, timeouts, non2xx } = result;
process.send({ latency, requests: { total: requests.total, sent: requests.sent }, errors, timeouts, non2xx }, () => process.exit(0));
