import { Client } from 'pg';
import { startBridge, type Bridge, type BridgeOptions } from '../../src/index.js';
import type { DeliveryError } from '../../src/errors/metarouter-error.js';
import { collectErrors } from './delivery-harness.js';
import { jsonAttributes, jsonLogsRequest, post, type Answer } from './otlp-bridge.js';

/** A bridge on the shared queue at `queueUrl`, delivering to `host`, with what it reported. */
export interface FleetBridge {
  readonly bridge: Bridge;
  readonly errors: DeliveryError[];
  /** POSTs OTLP JSON logs to its /v1/logs. */
  send(body: string): Promise<Answer>;
}

/** Starts a bridge on port 0 with `queue: { url: queueUrl, ... }`, flushing at once. */
export async function startFleetBridge(queueUrl: string, host: string, writeKey: string, options: BridgeOptions & { queueOptions?: Record<string, unknown> } = {}): Promise<FleetBridge> {
  const { queueOptions, ...rest } = options;
  const bridge = await startBridge({ port: 0, host, writeKey, flushInterval: 5, retryAfterSeconds: 1, queue: { url: queueUrl, ...queueOptions }, ...rest });
  const errors = collectErrors(bridge);
  return { bridge, errors, send: (body) => post(`${bridge.url}/v1/logs`, body) };
}

/** An OTLP JSON logs request of `count` track events whose messageIds are `${prefix}-0`, `${prefix}-1`, … */
export function tracks(prefix: string, count: number): string {
  const records = Array.from({ length: count }, (_, index) => ({
    timeUnixNano: '1767225600000000000',
    eventName: 'analytics.track',
    attributes: jsonAttributes({ 'analytics.user_id': 'user-1', 'analytics.event': 'Signed Up', 'analytics.message_id': `${prefix}-${index}` }),
  }));
  return jsonLogsRequest(records);
}

/** Runs one statement on its own connection. */
export async function sql<T extends Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `check` until it resolves true; rejects naming `what` after `timeoutMillis`. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMillis = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
