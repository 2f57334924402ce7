import { constants as bufferConstants } from 'node:buffer';
import type { DeliveryOptions, ShapingOptions } from '../config/options.js';
import { resolveBeforeSend, resolveDeliveryOptions, type DeliveryConfig } from '../config/resolve-options.js';
import type { BeforeSend } from '../shaping/before-send.js';
import { ConfigurationError } from '../errors/metarouter-error.js';
import { DEFAULTS, ENV } from '../config/defaults.js';
import { checkInteger, checkListenAddress, fromEnv } from '../config/validate.js';

/** Options of `startBridge()`: where to listen, who may send, and the delivery options. */
export interface BridgeOptions extends DeliveryOptions, ShapingOptions {
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

/** Bridge options after defaults, environment and validation. */
export interface BridgeConfig {
  readonly delivery: DeliveryConfig;
  readonly port: number;
  readonly hostname: string;
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  readonly retryAfterSeconds: number;
  readonly beforeSend: readonly BeforeSend[];
}

function resolveToken(value: string | undefined): string | undefined {
  const token: unknown = value ?? fromEnv(ENV.bridgeToken);
  if (token === undefined) return undefined;
  // Node reads request headers as latin1: a token with other characters could never match.
  if (typeof token !== 'string' || token === '' || /[^\u0021-\u007e]/.test(token)) {
    // Like the writeKey, the token itself never appears in a message.
    const shape = typeof token === 'string' ? `a string of ${token.length} characters` : `a value of type ${typeof token}`;
    throw new ConfigurationError('token', `token is invalid, expected a non-empty string of printable ASCII without spaces (or ${ENV.bridgeToken}), actual ${shape}`);
  }
  return token;
}

/**
 * Merges the bridge's options with the environment and defaults and validates them, delivery
 * options included. Throws `ConfigurationError` naming the option.
 */
export function resolveBridgeOptions(options: BridgeOptions | undefined): BridgeConfig {
  const given = options ?? {};
  const hostname = checkListenAddress('hostname', given.hostname ?? DEFAULTS.bridgeHostname, '0.0.0.0 or 127.0.0.1');
  return Object.freeze({
    delivery: resolveDeliveryOptions(options),
    port: checkInteger('port', given.port ?? DEFAULTS.bridgePort, 0, 65535),
    hostname,
    token: resolveToken(given.token),
    maxBodyBytes: checkInteger('maxBodyBytes', given.maxBodyBytes ?? DEFAULTS.bridgeMaxBodyBytes, 1, Math.min(bufferConstants.MAX_LENGTH, 2 ** 31 - 1)),
    retryAfterSeconds: checkInteger('retryAfterSeconds', given.retryAfterSeconds ?? DEFAULTS.bridgeRetryAfterSeconds, 1, 3600),
    beforeSend: resolveBeforeSend(given.beforeSend),
  });
}
