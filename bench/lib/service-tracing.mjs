// The tracing of the service-like benchmarks, set up as a service owner would: an AsyncLocalStorage
// context manager and a tracer provider whose BatchSpanProcessor exports to a no-op exporter.
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Resolves OpenTelemetry from where the library in `libDir` resolves it (one API copy for both),
 * registers the context manager and returns the API, a tracer named `name` and its provider.
 */
export function setupServiceTracing(libDir, name) {
  const require = createRequire(path.join(libDir, 'index.js'));
  const api = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const noopExporter = { export: (spans, done) => done({ code: 0 }), shutdown: async () => {} };
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(noopExporter)] });
  return { api, tracer: provider.getTracer(name), provider };
}
