// The OpenTelemetry setup of an ES module (or compiled TypeScript) service, loaded before the app:
//
//   node --import ./otel.mjs app.mjs
//
// `--import` runs this module to the end before the app's modules are even loaded, so the loader
// hook and the instrumentations are in place when the app's imports load what they patch. An
// `import './otel.mjs'` at the top of app.mjs is too late: ESM loads the app's whole static import
// graph before it evaluates any of it.
//
// Analytics go to METAROUTER_HOST (default: a local `npx metarouter-otel sink --port 8088`).
import { register } from 'node:module';
import { logs } from '@opentelemetry/api-logs';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { logs as sdkLogs, NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter } from 'metarouter-otel';

const destination = {
  writeKey: process.env.METAROUTER_WRITE_KEY || 'demo_source_id',
  host: process.env.METAROUTER_HOST || 'http://127.0.0.1:8088',
};

// Instrumentations patch CommonJS modules as `require` loads them; ES modules (`import` of
// `node:http`, of an ESM-only library) only through this loader hook, registered before they load.
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

export const sdk = new NodeSDK({
  serviceName: 'esm-service',
  instrumentations: [new HttpInstrumentation()],
  spanProcessors: [new tracing.BatchSpanProcessor(new MetaRouterSpanExporter(destination))],
  logRecordProcessors: [new sdkLogs.BatchLogRecordProcessor({ exporter: new MetaRouterLogRecordExporter(destination) })],
  metricReaders: [], // this example has no metrics backend
});
sdk.start();

/** The app's one Analytics, emitting into the LoggerProvider the SDK registered. */
export const analytics = new Analytics({ ...destination, loggerProvider: logs.getLoggerProvider() });

/** At shutdown: deliver what is queued, then stop the SDK (which flushes both pipelines). */
export async function shutdownTelemetry() {
  await analytics.closeAndFlush();
  await sdk.shutdown();
}
