// The pre-serialized baseline: what a minimal, perfect client could do on this machine. Each call
// builds its message's JSON once (Segment shape, with messageId and timestamp) and appends it to
// the current request body; a body is cut at 480 KB and posted on a keep-alive undici Pool with
// at most 4 requests in flight. No validation, no OpenTelemetry, no retries. With `correlated` (the
// `baseline-correlated` driver), each message also carries the active span's ids, as ours do.
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { installedVersion } from './versions.mjs';

const MAX_BODY_BYTES = 480 * 1024;
const IN_FLIGHT = 4;
const LIBRARY = '{"name":"bench-baseline","version":"1.0.0"}';

/** `,"otel":{…}` for the span active in `api`'s context, as metarouter-otel writes it; '' outside a span. */
function otelContext(api) {
  const span = api.trace.getSpan(api.context.active())?.spanContext();
  return span === undefined || !api.isSpanContextValid(span) ? '' : `,"otel":{"traceId":"${span.traceId}","spanId":"${span.spanId}"}`;
}

export default {
  name: 'baseline',
  async create({ url, tracing, correlated = false }) {
    const target = new URL(url);
    const pool = new Pool(target.origin, { connections: IN_FLIGHT });
    const path = `${target.pathname}/v1/batch`;
    const headers = { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('bench-write-key:').toString('base64')}` };
    const tail = `],"sentAt":"${new Date().toISOString()}","writeKey":"bench-write-key"}`;
    const ready = [];
    let body = '';
    let bodyBytes = 0;
    let inFlight = 0;
    let requests = 0;
    let failures = 0;
    let drained;
    const pump = () => {
      while (inFlight < IN_FLIGHT && ready.length > 0) {
        inFlight++;
        requests++;
        pool
          .request({ path, method: 'POST', headers, body: ready.shift() })
          .then((response) => response.body.dump())
          .catch(() => failures++)
          .finally(() => {
            inFlight--;
            pump();
            if (inFlight === 0 && ready.length === 0) drained?.();
          });
      }
    };
    const cut = () => {
      if (bodyBytes === 0) return;
      ready.push(`{"batch":[${body}${tail}`);
      body = '';
      bodyBytes = 0;
      pump();
    };
    return {
      version: `undici ${installedVersion('undici')}`,
      call({ userId, event, properties }) {
        const json = JSON.stringify({
          type: 'track',
          userId,
          event,
          properties,
          messageId: randomUUID(),
          timestamp: new Date().toISOString(),
        }).slice(0, -1) + `,"context":{"library":${LIBRARY}${correlated ? otelContext(tracing.api) : ''}},"writeKey":"bench-write-key"}`;
        const bytes = Buffer.byteLength(json);
        if (bodyBytes + bytes + 200 > MAX_BODY_BYTES) cut();
        body = bodyBytes === 0 ? json : `${body},${json}`;
        bodyBytes += bytes + 1;
      },
      async finish() {
        cut();
        if (inFlight > 0 || ready.length > 0) await new Promise((resolve) => (drained = resolve));
        await pool.close();
        return { version: `undici ${installedVersion('undici')}`, counters: { requests, failures } };
      },
    };
  },
};
