import { startBridge, type Bridge, type BridgeOptions } from '../../src/index.js';
import type { DeliveryError } from '../../src/errors/metarouter-error.js';
import { collectErrors } from './delivery-harness.js';
import { startIngestServer, type IngestServer, type Script } from './ingest-server.js';

export const BRIDGE_WRITE_KEY = 'bridge-test-key';

export interface BridgePipeline {
  readonly bridge: Bridge;
  readonly ingest: IngestServer;
  /** Everything the bridge reported on its error channel. */
  readonly errors: DeliveryError[];
  /** `{bridge.url}{path}` */
  url(path: string): string;
  close(): Promise<void>;
}

/**
 * A bridge on 127.0.0.1, port 0, delivering to a fresh scripted ingestion server, with a short
 * flush interval so that what it queues arrives at once.
 */
export async function startBridgePipeline(options: BridgeOptions & { script?: Script } = {}): Promise<BridgePipeline> {
  const { script, ...bridgeOptions } = options;
  const ingest = await startIngestServer(script);
  const bridge = await startBridge({ port: 0, host: ingest.url, writeKey: BRIDGE_WRITE_KEY, flushInterval: 5, ...bridgeOptions });
  const errors = collectErrors(bridge);
  return {
    bridge,
    ingest,
    errors,
    url: (path) => `${bridge.url}${path}`,
    async close() {
      await bridge.close(2000);
      await ingest.close();
    },
  };
}

/** One answer of the bridge, body read. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

/** POSTs `body` to the bridge with the given headers (Content-Type defaults to OTLP JSON). */
export async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** A hand-written OTLP JSON logs request: one resource, one scope, these log records. */
export function jsonLogsRequest(logRecords: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ scope: { name: 'hand' }, logRecords }] }] });
}

/** OTLP JSON attributes from a plain object of strings, numbers and booleans. */
export function jsonAttributes(attributes: Record<string, string | number | boolean>): Array<{ key: string; value: Record<string, unknown> }> {
  return Object.entries(attributes).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? { stringValue: value } : typeof value === 'boolean' ? { boolValue: value } : Number.isInteger(value) ? { intValue: value } : { doubleValue: value },
  }));
}

/** An OTLP JSON `analytics.track` log record of `userId`, valid unless `event` is left out. */
export function trackRecord(userId: string, event?: string): Record<string, unknown> {
  return {
    timeUnixNano: '1767225600000000000',
    eventName: 'analytics.track',
    attributes: jsonAttributes(event === undefined ? { 'analytics.user_id': userId } : { 'analytics.user_id': userId, 'analytics.event': event }),
  };
}
