import type { DeliveryOptions } from './delivery-options.js';
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
}
