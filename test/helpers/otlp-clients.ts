import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '../../src/otel/otel-compat.js';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The OTLP/HTTP encodings the official exporters speak. */
export type Protocol = 'protobuf' | 'json';

type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtoLogExporter>[0]>;

/** Options of the official exporters that the tests vary. */
export interface ClientOptions {
  readonly gzip?: boolean;
  readonly headers?: Record<string, string>;
  /** The exporter's own deadline for one export, retries included. */
  readonly timeoutMillis?: number;
}

function exporterConfig(url: string, options: ClientOptions): ExporterConfig {
  return {
    url,
    compression: (options.gzip === true ? 'gzip' : 'none') as ExporterConfig['compression'],
    headers: options.headers,
    timeoutMillis: options.timeoutMillis ?? 5000,
  };
}

/** Anything with the OTel exporter contract. */
interface Exporter<T> {
  export(items: T[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

function exportWith<T>(exporter: Exporter<T>, items: T[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

/**
 * Sends log records made by the real SDK through an official OTLP log exporter
 * (`exporter-logs-otlp-proto` or `exporter-logs-otlp-http`) to `{bridgeUrl}/v1/logs`, in one
 * export, and resolves with the exporter's result.
 */
export async function exportLogs(bridgeUrl: string, protocol: Protocol, records: ReadableLogRecord[], options: ClientOptions = {}): Promise<ExportResult> {
  const config = exporterConfig(`${bridgeUrl}/v1/logs`, options);
  const exporter = protocol === 'protobuf' ? new ProtoLogExporter(config) : new JsonLogExporter(config);
  try {
    return await exportWith(exporter, records);
  } finally {
    await exporter.shutdown();
  }
}

/** Sends finished spans through the official `exporter-trace-otlp-proto` to `{bridgeUrl}/v1/traces`. */
export async function exportSpans(bridgeUrl: string, spans: ReadableSpan[], options: ClientOptions = {}): Promise<ExportResult> {
  const exporter = new ProtoTraceExporter(exporterConfig(`${bridgeUrl}/v1/traces`, options));
  try {
    return await exportWith(exporter, spans);
  } finally {
    await exporter.shutdown();
  }
}

/**
 * A real SDK `LoggerProvider` (not registered globally) whose records are kept, as the SDK hands
 * them to exporters: `emit` through `logger`, then take them with `records()`.
 */
export function recordingLogger() {
  const kept = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: kept })] });
  return {
    logger: provider.getLogger('bridge-test', '1.0.0'),
    records: (): ReadableLogRecord[] => kept.getFinishedLogRecords().slice(),
    shutdown: () => provider.shutdown(),
  };
}

/**
 * Captures what the official exporters make of a partial success: they report it only through
 * OpenTelemetry's diag logger, which this installs for the test file (before/after hooks).
 * `warnings` may be emptied between tests; `partialSuccessSeen()` parses the last one logged.
 */
export function capturePartialSuccess(): { warnings: string[]; partialSuccessSeen: () => Record<string, unknown> } {
  const warnings: string[] = [];
  before(() => {
    const capture = (message: string, ...args: unknown[]) => void warnings.push([message, ...args].join(' '));
    const logger: DiagLogger = { error: capture, warn: capture, info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  });
  after(() => diag.disable());
  const partialSuccessSeen = (): Record<string, unknown> => {
    const line = warnings.find((warning) => warning.startsWith('Received Partial Success response:'));
    assert.ok(line !== undefined, `the client saw a partial success; it logged: ${JSON.stringify(warnings)}`);
    return JSON.parse(line.slice('Received Partial Success response:'.length)) as Record<string, unknown>;
  };
  return { warnings, partialSuccessSeen };
}
