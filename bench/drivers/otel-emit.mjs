// Reference row: OpenTelemetry's `logger.emit` alone (sdk-logs LoggerProvider, a processor that
// does nothing), the call params as the body, in the active context. What the OTel SDK costs a
// call before any analytics work; nothing is delivered.
export default {
  name: 'otel-emit',
  async create({ tracing }) {
    const { LoggerProvider } = tracing.require('@opentelemetry/sdk-logs');
    const version = tracing.require('@opentelemetry/sdk-logs/package.json').version;
    const processor = { onEmit() {}, forceFlush: async () => {}, shutdown: async () => {} };
    const logger = new LoggerProvider({ processors: [processor] }).getLogger('bench');
    const { context } = tracing.api;
    return {
      version: `sdk-logs ${version}`,
      call(params) {
        logger.emit({ eventName: 'analytics.track', body: params, context: context.active() });
      },
      async finish() {
        return { version: `sdk-logs ${version}` };
      },
    };
  },
};
