import type { BridgeOptions } from './config/bridge-options.js';
import type { DeadLetterExportOptions, ReplayOptions } from './config/replay-options.js';
import type { SinkOptions } from './config/sink-options.js';
import type { openStorage } from './pipeline/node-storage.js';
import type { Bridge } from './receiver/bridge.js';
import type { DeadLetterExport } from './replay/export-dead-letters.js';
import type { ReplaySummary } from './replay/replay.js';
import { provideStorage } from './pipeline/storage-source.js';
import { provideAjv } from './shaping/tracking-plan/ajv-source.js';
import { provideHttpTransport } from './transport/choose-transport.js';
import type { Sink } from './sink/sink-server.js';
import type { HttpTransport } from './transport/http-transport.js';

export * from './core.js';

// The Node entry (also Bun's and Deno's). What an app may never use loads at its first use, not
// with the package, since a serverless function pays for every module it loads on each cold start:
// undici when the first delivery is made, storage with the first `storage` or `deadLetterFile`, Ajv
// with the first tracking plan, and the sink, the bridge and replay at their first call.
provideHttpTransport(() => (require('./transport/http-transport.js') as { HttpTransport: typeof HttpTransport }).HttpTransport);
provideStorage((config, report) => (require('./pipeline/node-storage.js') as { openStorage: typeof openStorage }).openStorage(config, report));
provideAjv(() => ({ Ajv: (require('ajv') as typeof import('ajv')).default, addFormats: (require('ajv-formats') as typeof import('ajv-formats')).default }));

/**
 * Starts a local MetaRouter-compatible ingestion endpoint (`POST /v1/batch`, gzip accepted) for
 * development and tests, with a live debugger page at its root. It keeps the messages it receives
 * (bounded), reports each as a readable line, and can append them to an NDJSON file. Rejects with a
 * `ConfigurationError` for a bad option or an `out` file that cannot be written.
 */
export async function startSink(options?: SinkOptions): Promise<Sink> {
  return (require('./sink/sink-server.js') as typeof import('./sink/sink-server.js')).startSink(options);
}

/**
 * Starts the OTLP/HTTP bridge: a receiver for `POST /v1/logs` and `POST /v1/traces` that takes
 * the analytics events out of OTLP log records and spans (sent by any language's OpenTelemetry
 * SDK, or by a Collector) and delivers them to MetaRouter like `Analytics` does. Rejects with a
 * `ConfigurationError` for a bad option, or when it cannot listen.
 */
export async function startBridge(options?: BridgeOptions): Promise<Bridge> {
  return (require('./receiver/bridge.js') as typeof import('./receiver/bridge.js')).startBridge(options);
}

/**
 * Sends the messages of an NDJSON file again, in order, at least once, keeping each messageId so the
 * server can deduplicate, and records what was delivered so that a second run sends only the rest
 * (see `progressFile`). Resolves with the totals; never rejects for a delivery failure (those go to
 * `onError`); rejects with a `ConfigurationError` when a file cannot serve.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  return (require('./replay/replay.js') as typeof import('./replay/replay.js')).replay(options);
}

/**
 * Writes what a fleet of bridges gave up (the dead letters of its PostgreSQL `queue`) to an NDJSON
 * file that `replay()` and `metarouter-otel replay` read. Throws `ConfigurationError` for a bad
 * option; rejects with `MR_ERR_QUEUE_UNAVAILABLE` when the database cannot be read.
 */
export async function exportDeadLetters(options: DeadLetterExportOptions): Promise<DeadLetterExport> {
  return (require('./replay/export-dead-letters.js') as typeof import('./replay/export-dead-letters.js')).exportDeadLetters(options);
}
