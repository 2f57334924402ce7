import { context, trace } from '@opentelemetry/api';
import { AsyncHooksContextManager } from '@opentelemetry/context-async-hooks';
import { defaultResource } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Installs the real async-hooks context manager (the one Node apps use) for the current test file.
 * Returns a function that removes it.
 */
export function useContextManager(): () => void {
  const manager = new AsyncHooksContextManager().enable();
  context.setGlobalContextManager(manager);
  return () => {
    context.disable();
    manager.disable();
  };
}

/** A real tracer provider (not registered globally), sampling all or nothing, with its finished spans kept. */
export function tracerProvider(options: { sampled?: boolean; processors?: SpanProcessor[] } = {}) {
  const finished = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler: options.sampled === false ? new AlwaysOffSampler() : new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(finished), ...(options.processors ?? [])],
  });
  return { provider, tracer: provider.getTracer('test'), finished };
}

export { trace };

const DEFAULTS = defaultResource().attributes;

/** `context.otel.resource` of a record made under the OTel SDK's default resource. */
export const DEFAULT_IDENTITY = Object.freeze({ 'service.name': DEFAULTS['service.name'] });

/** `context.library` of a record that the OTel JS SDK sent over OTLP (through the bridge). */
export const SDK_LIBRARY = Object.freeze({ name: DEFAULTS['telemetry.sdk.name'], version: DEFAULTS['telemetry.sdk.version'], language: DEFAULTS['telemetry.sdk.language'] });
