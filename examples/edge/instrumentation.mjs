// OpenTelemetry on the Edge runtime, in its least form: what `registerOTel()` of @vercel/otel sets
// up for you. The context manager is the part analytics needs: without one, the OpenTelemetry API
// forgets the active span at the first `await`, and messages carry no trace ids. Edge has
// AsyncLocalStorage (node:async_hooks), which this manager uses.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider());
