import type { AddressInfo } from 'node:net';
import { DEFAULTS } from '../config/defaults.js';
import { ErrorChannel } from '../errors/error-channel.js';
import { createPipeline } from '../pipeline/create-pipeline.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import { PLAN_STAGE } from '../shaping/plan-stage.js';
import { bearerCheck } from './bearer-auth.js';
import type { BridgeOptions } from '../config/bridge-options.js';
import { resolveBridgeOptions } from '../config/resolve-bridge-options.js';
import type { BridgeServer } from './bridge-server.js';
import { ExportHandler, type BridgeCounters } from './export-handler.js';
import type { FleetQueue } from '../fleet/open-fleet-queue.js';

export type { BridgeCounters } from './export-handler.js';

/** Resolves when `promise` does or at `deadline` (epoch milliseconds), whichever comes first. */
async function until(promise: Promise<void>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
}

/**
 * A running OTLP/HTTP bridge. Its `error` channel reports what the delivery side gives up (as
 * `Analytics` does) and the invalid analytics events of each request (`MR_ERR_INVALID_RECORD`).
 */
export class Bridge extends ErrorChannel {
  /** Base URL, such as `http://127.0.0.1:4318`; OTLP is served at `/v1/logs` and `/v1/traces`. */
  readonly url: string;
  readonly port: number;
  /** Running totals: requests, events queued, rejected and throttled, and the delivery queue's. */
  readonly counters: Readonly<BridgeCounters>;
  private closing: Promise<void> | undefined;

  /** @internal Use `startBridge()`. */
  constructor(
    private readonly server: BridgeServer,
    private readonly pipeline: Pipeline,
    counters: BridgeCounters,
    hostname: string,
    private readonly fleet: FleetQueue | undefined,
  ) {
    super();
    this.port = (server.http.address() as AddressInfo).port;
    this.url = `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${this.port}`;
    this.counters = counters;
  }

  /**
   * Stops gracefully: readiness turns 503 and new export requests are answered 503 with
   * Retry-After, the listener closes, requests being handled finish, and then everything queued
   * is delivered. Past `timeoutMillis` open connections are cut and what is still undelivered is
   * reported (`MR_ERR_SHUTDOWN_TIMEOUT`). Idempotent.
   */
  close(timeoutMillis: number = DEFAULTS.closeTimeout): Promise<void> {
    this.closing ??= this.shutdown(Date.now() + timeoutMillis);
    return this.closing;
  }

  private async shutdown(deadline: number): Promise<void> {
    const { http } = this.server;
    this.server.drain();
    const closed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    await until(this.server.whenIdle(), deadline);
    http.closeAllConnections();
    await closed;
    const left = Math.max(0, deadline - Date.now());
    this.fleet?.drain();
    await this.pipeline.shutdown(left);
    await this.fleet?.close();
  }
}

/**
 * Starts the OTLP/HTTP bridge: a receiver for `POST /v1/logs` and `POST /v1/traces` that takes
 * the analytics events out of OTLP log records and spans (sent by any language's OpenTelemetry
 * SDK, or by a Collector) and delivers them to MetaRouter like `Analytics` does. Throws
 * `ConfigurationError` for a bad option; rejects when it cannot listen.
 */
export async function startBridge(options?: BridgeOptions): Promise<Bridge> {
  const config = resolveBridgeOptions(options);
  // Loaded here, not at the top: an app that only records analytics never loads the HTTP server
  // or the protobuf code.
  const { BridgeServer } = await import('./bridge-server.js');
  let bridge: Bridge | undefined;
  // Loaded only with `queue`: a bridge on its own queue never loads the PostgreSQL client.
  const fleet = config.queue === undefined ? undefined : await (await import('../fleet/open-fleet-queue.js')).openFleetQueue(config.queue, config.delivery, (error) => bridge?.report(error));
  // The bridge is where a polyglot fleet's events meet: its beforeSend redacts or enriches them
  // all, its plan guards them all.
  let pipeline: Pipeline;
  try {
    pipeline = createPipeline({
      sending: fleet === undefined ? config.delivery : { ...config.delivery, sharedQueue: fleet.queueFactory },
      shaping: { beforeSend: config.beforeSend, plan: options ?? {} },
      report: (error) => bridge?.report(error),
      // The same metarouter.* instruments as Analytics and the exporters, so a dashboard reads every face alike.
      selfMetrics: true,
      // Told back to the OTLP client in partial_success as rejected.
      filtered: (_messageId, stage) => {
        if (stage === PLAN_STAGE) counters.planRejected++;
      },
    });
  } catch (error) {
    await fleet?.close();
    throw error;
  }
  const counters: BridgeCounters = { requests: 0, queued: 0, rejected: 0, planRejected: 0, throttled: 0, duplicates: 0, delivery: pipeline.counters };
  const handler = new ExportHandler(pipeline, JSON.stringify(config.delivery.writeKey), config.delivery.maxQueueSize, counters, config.resourceAttributeKeys, fleet);
  const ready = fleet === undefined ? undefined : () => fleet.ready;
  const server = new BridgeServer({ maxBodyBytes: config.maxBodyBytes, retryAfterSeconds: config.retryAfterSeconds, authorized: bearerCheck(config.token), ready }, handler, counters);
  try {
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(config.port, config.hostname, () => {
        server.http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await pipeline.shutdown(0);
    await fleet?.close();
    throw error;
  }
  bridge = new Bridge(server, pipeline, counters, config.hostname, fleet);
  return bridge;
}
