// The pre-serialized baseline sending what metarouter-otel sends for the same call: each message
// also carries `context.otel` with the active span's trace and span ids, read from the OpenTelemetry
// API at the call. The same bytes on the wire, so that a ratio against this row compares the SDK's
// machinery rather than the size of its messages (the server decodes every byte).
import baseline from './baseline.mjs';

export default {
  name: 'baseline-correlated',
  create: (options) => baseline.create({ ...options, correlated: true }),
};
