import { createContextKey, type Context } from '@opentelemetry/api';

// The key @opentelemetry/core uses (createContextKey returns Symbol.for(description), so it is
// the same key in every copy): HTTP instrumentations that see it record no span. Defined here
// rather than imported, because core 2.x and 3.x pin incompatible @opentelemetry/api peers.
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** The context in which instrumentations record no spans: our own requests never trace the app. */
export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
