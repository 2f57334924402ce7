// The drivers, in the order they run and print. `delivers: false` marks reference rows that only
// measure the call (nothing is sent, so delivery columns stay empty).
export const CATALOG = [
  { name: 'metarouter', label: 'metarouter-otel', delivers: true },
  { name: 'metarouter-before-send', label: 'metarouter-otel with a `beforeSend` redaction hook', delivers: true },
  { name: 'metarouter-durable', label: 'metarouter-otel, durable (`storage`)', delivers: true },
  { name: 'metarouter-no-marks', label: 'metarouter-otel without span marks (`spanEvents: false`)', delivers: true },
  { name: 'metarouter-no-span', label: 'metarouter-otel called outside any span (no `context.otel`, no mark)', delivers: true },
  { name: 'metarouter-plan', label: 'metarouter-otel under a tracking plan every call keeps', delivers: true },
  { name: 'segment', label: '@segment/analytics-node', delivers: true },
  { name: 'posthog', label: 'posthog-node', delivers: true },
  { name: 'rudder', label: '@rudderstack/rudder-sdk-node', delivers: true },
  { name: 'baseline', label: 'pre-serialized JSON, 480 KB batches, undici keep-alive, 4 in flight', delivers: true },
  { name: 'baseline-correlated', label: 'the same baseline, each message also carrying the trace context as ours do', delivers: true },
  { name: 'otel-emit', label: 'OpenTelemetry `logger.emit` alone (no-op processor)', delivers: false },
  { name: 'generator', label: 'harness alone (generator + a span per 100 calls)', delivers: false },
];

export function catalogEntry(name) {
  const entry = CATALOG.find((candidate) => candidate.name === name);
  if (entry === undefined) throw new Error(`unknown library "${name}"; known: ${CATALOG.map((c) => c.name).join(', ')}`);
  return entry;
}
