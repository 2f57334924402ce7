// A TypeScript app on the OpenTelemetry 3.x line: our exporters are 3.x exporters, and a 3.x
// LoggerProvider (or the one api 1.10's logs API holds) is a valid `loggerProvider`. Type-checked
// by test/otel3-core.test.mjs; never run.
import { logs } from '@opentelemetry/api';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { Analytics, MetaRouterLogRecordExporter, MetaRouterSpanExporter, type TrackParams } from 'metarouter-otel';

const destination = { writeKey: 'otel3-key', host: 'https://e.example.com' };
const logExporter: LogRecordExporter = new MetaRouterLogRecordExporter(destination);
const spanExporter: SpanExporter = new MetaRouterSpanExporter(destination);
const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: logExporter })] });
export const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: spanExporter })] });

export const analytics = new Analytics({ ...destination, loggerProvider });
export const viaGlobal = new Analytics({ ...destination, loggerProvider: logs.getLoggerProvider() });
const track: TrackParams = { userId: 'u-3', event: 'Order Completed' };
export const messageId: string = analytics.track(track);
// @ts-expect-error a call needs userId or anonymousId
analytics.track({ event: 'Nobody' });
