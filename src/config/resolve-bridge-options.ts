import { constants as bufferConstants } from 'node:buffer';
import type { BridgeOptions } from './bridge-options.js';
import { resolveBeforeSend, resolveDeliveryOptions, type DeliveryConfig } from './resolve-options.js';
import type { BeforeSend } from '../shaping/before-send.js';
import { ConfigurationError } from '../errors/metarouter-error.js';
import { DEFAULTS, ENV } from './defaults.js';
import { resolveQueueOptions, type QueueConfig } from './resolve-queue-options.js';
import { resolveResourceKeys } from './resolve-resource.js';
import { checkInteger, checkListenAddress, fromEnv } from './validate.js';

/** Bridge options after defaults, environment and validation. */
export interface BridgeConfig {
  readonly delivery: DeliveryConfig;
  readonly port: number;
  readonly hostname: string;
  readonly token: string | undefined;
  readonly maxBodyBytes: number;
  readonly retryAfterSeconds: number;
  readonly beforeSend: readonly BeforeSend[];
  /** The attributes of each OTLP resource sent in `context.otel.resource`. */
  readonly resourceAttributeKeys: readonly string[];
  /** The fleet's shared PostgreSQL queue; undefined: this bridge's own queue. */
  readonly queue: QueueConfig | undefined;
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
  const queue = resolveQueueOptions(given.queue ?? fromEnv(ENV.queueUrl));
  if (queue !== undefined && given.storage !== undefined) {
    throw new ConfigurationError('queue', 'queue is invalid, expected no storage beside it (the shared queue is the durable one), actual both queue and storage');
  }
  const hostname = checkListenAddress('hostname', given.hostname ?? DEFAULTS.bridgeHostname, '0.0.0.0 or 127.0.0.1');
  return Object.freeze({
    delivery: resolveDeliveryOptions(options),
    port: checkInteger('port', given.port ?? DEFAULTS.bridgePort, 0, 65535),
    hostname,
    token: resolveToken(given.token),
    maxBodyBytes: checkInteger('maxBodyBytes', given.maxBodyBytes ?? DEFAULTS.bridgeMaxBodyBytes, 1, Math.min(bufferConstants.MAX_LENGTH, 2 ** 31 - 1)),
    retryAfterSeconds: checkInteger('retryAfterSeconds', given.retryAfterSeconds ?? DEFAULTS.bridgeRetryAfterSeconds, 1, 3600),
    beforeSend: resolveBeforeSend(given.beforeSend),
    resourceAttributeKeys: resolveResourceKeys(given.resourceAttributeKeys),
    queue,
  });
}
