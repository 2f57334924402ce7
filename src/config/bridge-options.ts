import type { DeliveryOptions, StorageWhenFull } from './delivery-options.js';
import type { ResourceIdentityOptions } from './resource-options.js';
import type { ShapingOptions } from './shaping-options.js';

/**
 * Options of `startBridge()`: where to listen, who may send, and the delivery options.
 * `resourceAttributeKeys` chooses what is read from each OTLP request's resources.
 */
export interface BridgeOptions extends DeliveryOptions, ShapingOptions, ResourceIdentityOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 4318
   */
  port?: number;
  /**
   * Address to listen on; `0.0.0.0` (or `::`) to serve other machines.
   * @default '127.0.0.1'
   */
  hostname?: string;
  /**
   * When set, OTLP requests must carry `Authorization: Bearer <token>` (401 otherwise). Read from
   * `METAROUTER_BRIDGE_TOKEN` when omitted. Health checks need none. Printable ASCII without spaces.
   */
  token?: string;
  /**
   * Largest request body accepted, in bytes after decompression (and before it); larger gets 413.
   * @default 67108864 (64 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Seconds a client is asked to wait (`Retry-After`) when the delivery queue is full or the
   * bridge is draining.
   * @default 5
   */
  retryAfterSeconds?: number;
  /**
   * A PostgreSQL queue shared by a fleet of bridges, as a `postgres://` URL or {@link QueueOptions}:
   * events are committed there before a client gets 200, any bridge delivers them, and a messageId
   * is taken once per writeKey. Read from `METAROUTER_QUEUE_URL` when omitted. Without it, the bridge
   * queues in memory (or in `storage`). Not with `storage`.
   * @default undefined: this bridge's own queue
   */
  queue?: string | QueueOptions;
}

/**
 * The shared queue of a fleet of bridges: a PostgreSQL database that any number of identical
 * bridges use at once. Each request's events are committed before its client gets 200; any bridge
 * delivers them; a messageId (per writeKey) is taken once within `dedupWindow`.
 */
export interface QueueOptions {
  /**
   * The database, as a `postgres://user:password@host:port/database` URL (libpq's parameters in
   * the query, such as `sslmode=require`). The bridge creates its tables (`metarouter_*`) on start.
   */
  url: string;
  /**
   * Milliseconds a messageId is remembered after it was taken: a copy sent again within it is
   * answered 200 and not stored again, also after the first was delivered.
   * @default 86400000 (24 h)
   */
  dedupWindow?: number;
  /**
   * Milliseconds a bridge holds the events it claimed to deliver; a bridge that dies leaves them to
   * the others once it runs out. Renewed while a batch is retried.
   * @default 30000
   */
  leaseMillis?: number;
  /**
   * Milliseconds of arrivals each partition of the events table covers; a partition is dropped once
   * every event in it is delivered or dead-lettered.
   * @default 3600000 (1 h)
   */
  partitionMillis?: number;
  /**
   * Bytes of undelivered messages the queue may hold, fleet-wide (read every second, so the fleet may
   * pass it by what it takes in a second). When full, `whenFull` decides.
   * @default 1073741824 (1 GiB)
   */
  maxBytes?: number;
  /**
   * What a full queue does, as `storage.whenFull`: `'drop_newest'` answers new requests 503 with
   * Retry-After; `'drop_oldest'` moves the oldest undelivered messages to the dead letters
   * (`MR_ERR_EVICTED`) to make room.
   * @default 'drop_newest'
   */
  whenFull?: StorageWhenFull;
  /**
   * Connections this bridge opens to the database at most.
   * @default 8
   */
  maxConnections?: number;
}
