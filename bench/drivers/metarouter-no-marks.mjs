// metarouter-otel as the `metarouter` driver runs it, without the span marks (`spanEvents: false`):
// messages still carry the trace context; the span no longer gets an `analytics.track` event. The
// difference between the two rows is what linking each call on the trace costs (the OpenTelemetry
// SDK's `Span.addEvent`, and the events the span then holds until it is exported).
import metarouter from './metarouter.mjs';

export default {
  name: 'metarouter-no-marks',
  create: (options) => metarouter.create({ ...options, extraOptions: { spanEvents: false } }),
};
