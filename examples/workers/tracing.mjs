// Trace correlation on Cloudflare Workers: what a message needs to carry the trace and span ids
// of the span it was made in. Under `nodejs_compat`, workerd has AsyncLocalStorage, so the
// OpenTelemetry context manager built on it carries the active span across awaits. Import this
// module once, first, from the worker's entry; any tracer provider then works (this one has no
// exporter: spans are made for their ids only).
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());

export const tracer = trace.getTracer('worker');
