import { randomUUID } from 'node:crypto';
import type { QueueConfig } from '../config/resolve-queue-options.js';
import type { QueueFactory } from '../delivery/message-queue.js';
import { DeliveryError, MetaRouterError, readThrown } from '../errors/metarouter-error.js';
import type { Message } from '../translate/message.js';
import { describeFault, isOutage, PostgresClient } from './postgres-client.js';
import { PostgresQueue } from './postgres-queue.js';
import { QueueStore } from './queue-store.js';
import { QueueUpkeep } from './queue-upkeep.js';
import { migrate } from './schema.js';

/** How often each bridge reads the queue's size (and one of them does the partition and key upkeep). */
const UPKEEP_MILLIS = 1000;
/** How long a connection attempt may take before the database counts as unreachable. */
const CONNECT_TIMEOUT_MILLIS = 5000;

/** A bridge's side of the fleet's shared queue: what ingest commits into, and the queue its delivery engine reads. */
export interface FleetQueue {
  /** False while the database does not answer. */
  readonly ready: boolean;
  /** True when `bytes` more would pass `queue.maxBytes` under `whenFull: 'drop_newest'`. */
  full(bytes: number): boolean;
  /** Commits the messages whose messageId is new for this writeKey; resolves with how many were. Rejects when the database fails. */
  commit(messages: readonly Message[]): Promise<number>;
  /** The delivery engine's queue, for the assembly. */
  readonly queueFactory: QueueFactory;
  /** Claims nothing more: the bridge is closing, and delivers only what it holds. */
  drain(): void;
  /** Stops the upkeep and ends the connections (after the engine's queue closed). */
  close(): Promise<void>;
}

/**
 * Connects to the queue database, creates or checks its tables, makes its partitions, and starts
 * the upkeep. `pg` is loaded here, so a bridge without `queue` never loads it. Rejects with
 * `MR_ERR_QUEUE_UNAVAILABLE` when the database cannot be reached, `MR_ERR_QUEUE_SCHEMA` when its
 * tables are newer than this package.
 */
export async function openFleetQueue(config: QueueConfig, writeKey: string, report: (error: DeliveryError) => void): Promise<FleetQueue> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.maxConnections,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MILLIS,
    keepAlive: true,
    application_name: 'metarouter-otel bridge',
  });
  // Claims must walk the index in seq order, where entries of delivered rows, once marked dead by a
  // scan, cost a flag test each; a bitmap scan would read every such row from the table, each time.
  pool.on('connect', (connection) => {
    connection.query('SET enable_bitmapscan = off').catch(() => undefined);
  });
  const client = new PostgresClient(pool, config.shown, report);
  let partitionMillis: number;
  const upkeepSettings = { writeKey, dedupWindow: config.dedupWindow, maxBytes: config.maxBytes, whenFull: config.whenFull };
  let upkeep: QueueUpkeep;
  try {
    ({ partitionMillis } = await client.run((connection) => migrate(connection, config.partitionMillis), 60_000));
    upkeep = new QueueUpkeep(client, { ...upkeepSettings, partitionMillis }, report);
    await upkeep.round();
  } catch (error) {
    await client.close();
    if (error instanceof MetaRouterError) throw error;
    throw new MetaRouterError('MR_ERR_QUEUE_UNAVAILABLE', `the queue database ${config.shown} could not be prepared: ${describeFault(error)}`, { cause: error });
  }
  const store = new QueueStore(client, writeKey);
  let queue: PostgresQueue | undefined;
  let committed = 0;
  let upkeepRunning = false;
  const timer = setInterval(() => {
    if (upkeepRunning) return;
    upkeepRunning = true;
    upkeep
      .round()
      .then(() => (committed = 0))
      .catch((error: unknown) => {
        // Outages are the client's to report; a fault of the upkeep itself is reported here.
        if (client.healthy) report(new DeliveryError('MR_ERR_QUEUE_UNAVAILABLE', `the queue upkeep failed: ${readThrown(error).text}`, [], { cause: error }));
      })
      .finally(() => (upkeepRunning = false));
  }, UPKEEP_MILLIS);
  timer.unref();
  return {
    get ready() {
      return client.healthy;
    },
    full: (bytes) => config.whenFull === 'drop_newest' && upkeep.waitingBytes + committed + bytes > config.maxBytes,
    async commit(messages) {
      let fresh: number;
      try {
        fresh = await store.commit(messages);
      } catch (error) {
        // An outage is the client's to report; a statement the database refused is this request's, reported with its ids.
        if (!isOutage(error)) report(new DeliveryError('MR_ERR_QUEUE_UNAVAILABLE', `the queue database refused a request's ${messages.length} events (answered 503): ${describeFault(error)}`, messages.map((message) => message.messageId), { cause: error }));
        throw error;
      }
      for (const message of messages) committed += message.bytes;
      queue?.wake();
      return fresh;
    },
    queueFactory: (host, settings) => {
      // Claims hold what the engine can send at once, not the whole queue: the rest stays for the fleet.
      const capacity = Math.min(settings.maxQueueSize, settings.flushAt * settings.maxConcurrentRequests);
      queue = new PostgresQueue(store, host, { capacity, leaseMillis: config.leaseMillis, owner: randomUUID() });
      return queue;
    },
    drain: () => queue?.drain(),
    async close() {
      clearInterval(timer);
      await client.close();
    },
  };
}
