import { ConfigurationError } from '../errors/metarouter-error.js';
import { DEFAULTS, ENV, LIMITS } from './defaults.js';
import { builtinModule } from '../runtime/host-process.js';
import { nodeOnly } from '../runtime/node-only.js';
import { checkInteger, CONTROL_OR_SPACE, describe, fromEnv, invalid, isLoopback, oneOf, readOptions, resolveBoolean } from './validate.js';
import type { Dispatcher } from 'undici';
import type { Compression, DeliveryOptions, StorageOptions, StorageWhenFull } from './delivery-options.js';
import type { PlanEnforcementOptions, PlanViolationAction, UnplannedEventAction, UnplannedPropertyAction } from './shaping-options.js';
import type { BeforeSend } from '../shaping/before-send.js';

/** Delivery options after defaults, environment and validation. */
export interface DeliveryConfig {
  readonly writeKey: string;
  /** `protocol://host[:port]` of the endpoint. */
  readonly origin: string;
  /** Full request path: the host's own path, then `path`. */
  readonly requestPath: string;
  readonly flushAt: number;
  readonly flushInterval: number;
  readonly maxQueueSize: number;
  readonly maxRetries: number;
  readonly maxRetryDuration: number;
  readonly httpRequestTimeout: number;
  readonly maxConcurrentRequests: number;
  readonly compression: Compression;
  readonly disable: boolean;
  readonly dispatcher: Dispatcher | undefined;
  readonly storage: StorageConfig | undefined;
  /** Absolute path of the dead-letter file, when one is kept. */
  readonly deadLetterFile: string | undefined;
}

/** `storage` after defaults and validation; `directory` is absolute. */
export interface StorageConfig {
  readonly directory: string;
  readonly maxBytes: number;
  readonly syncInterval: number;
  readonly whenFull: StorageWhenFull;
}

/** The smallest `storage.maxBytes`: room for a few of the largest messages. */
const MIN_STORAGE_BYTES = 256 * 1024;

function integer(options: DeliveryOptions, key: keyof typeof DEFAULTS & keyof DeliveryOptions, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return checkInteger(key, options[key] ?? DEFAULTS[key], min, max);
}

/** A duration in milliseconds that a Node timer can hold. */
function millis(options: DeliveryOptions, key: keyof typeof DEFAULTS & keyof DeliveryOptions, min: number): number {
  return integer(options, key, min, LIMITS.maxTimerMillis);
}

/** How a host is shown in an error: never its credentials, path or query, which may hold secrets. */
function describeHost(host: unknown): string {
  if (typeof host !== 'string') return describe(host);
  if (!CONTROL_OR_SPACE.test(host) && URL.canParse(host)) {
    const url = new URL(host);
    const hidden = url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';
    return `${JSON.stringify(`${url.protocol}//${url.host}`)}${hidden ? ' (credentials, query and fragment not shown)' : ''}`;
  }
  return `a string of ${host.length} characters that is not such a URL`;
}

function resolveWriteKey(options: DeliveryOptions): string {
  const value: unknown = options.writeKey ?? fromEnv(ENV.writeKey);
  if (typeof value !== 'string' || value === '' || CONTROL_OR_SPACE.test(value)) {
    // The key itself never appears in a message: only its shape does.
    const shape = typeof value === 'string' ? `a string of ${value.length} characters` : value == null ? String(value) : `a value of type ${typeof value}`;
    throw invalid('writeKey', `a non-empty string without spaces or control characters (or ${ENV.writeKey})`, shape);
  }
  return value;
}

/** The `violationWriteKey` option, checked as `writeKey` is (and never printed either); undefined when unset. */
export function resolveViolationWriteKey(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || CONTROL_OR_SPACE.test(value)) {
    const shape = typeof value === 'string' ? `a string of ${value.length} characters` : value === null ? 'null' : `a value of type ${typeof value}`;
    throw invalid('violationWriteKey', 'a non-empty string without spaces or control characters', shape);
  }
  return value;
}

function resolveEndpoint(options: DeliveryOptions): { origin: string; requestPath: string } {
  const host: unknown = options.host ?? fromEnv(ENV.host);
  const expected = `an absolute http(s) URL without spaces or control characters (or ${ENV.host})`;
  // URL parsing silently strips tabs and newlines, so they are refused before it.
  if (typeof host !== 'string' || CONTROL_OR_SPACE.test(host) || !URL.canParse(host)) {
    throw invalid('host', expected, describeHost(host));
  }
  const url = new URL(host);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw invalid('host', `${expected}, with no credentials, query or fragment`, describeHost(host));
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && !resolveBoolean('allowInsecureHttp', options.allowInsecureHttp, DEFAULTS.allowInsecureHttp)) {
    throw invalid('host', 'an https URL (plain http only to a loopback address, or with allowInsecureHttp: true)', describeHost(host));
  }
  return { origin: url.origin, requestPath: url.pathname.replace(/\/+$/, '') + resolvePath(options) };
}

/**
 * The `path` option as it goes on the wire. A request line carries ASCII only: other characters are
 * percent-encoded as UTF-8, as URL parsing does for the host's own path (undici would refuse some
 * and send others as raw bytes); `%XX` already there is kept.
 */
function resolvePath(options: DeliveryOptions): string {
  const path: unknown = options.path ?? DEFAULTS.path;
  const expected = 'a string of well-formed Unicode starting with "/" without spaces or control characters';
  if (typeof path !== 'string' || !path.startsWith('/') || CONTROL_OR_SPACE.test(path)) throw invalid('path', expected, describe(path));
  try {
    return path.replace(/[^\u0021-\u007e]+/g, (text) => encodeURIComponent(text));
  } catch {
    // encodeURIComponent refuses a lone surrogate, which has no UTF-8 form.
    throw invalid('path', expected, describe(path));
  }
}

function resolveCompression(options: DeliveryOptions): Compression {
  const value: unknown = options.compression ?? DEFAULTS.compression;
  if (value !== 'none' && value !== 'gzip') throw invalid('compression', '"none" or "gzip"', describe(value));
  return value;
}

function resolveDispatcher(options: DeliveryOptions): Dispatcher | undefined {
  const value: unknown = options.dispatcher;
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as Dispatcher).request !== 'function') {
    throw invalid('dispatcher', 'an undici Dispatcher (Agent, Pool, ProxyAgent, …)', describe(value));
  }
  return value as Dispatcher;
}

/** A file-system path option: a non-empty string without NUL, made absolute. */
function resolveFilePath(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || value.includes('\0')) throw invalid(option, 'a non-empty path', describe(value));
  const path = builtinModule<typeof import('node:path')>('node:path');
  if (path === undefined) throw new ConfigurationError(option, nodeOnly(`\`${option}\``));
  return path.resolve(value);
}

function resolveStorage(options: DeliveryOptions): StorageConfig | undefined {
  if (options.storage === undefined) return undefined;
  const given = readOptions<StorageOptions>(options.storage);
  const number = (key: 'maxBytes' | 'syncInterval', fallback: number, min: number, max: number): number => {
    const value = given[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) throw invalid(`storage.${key}`, `an integer from ${min} to ${max}`, describe(value));
    return value;
  };
  return Object.freeze({
    directory: resolveFilePath('storage.directory', given.directory),
    maxBytes: number('maxBytes', DEFAULTS.storageMaxBytes, MIN_STORAGE_BYTES, Number.MAX_SAFE_INTEGER),
    syncInterval: number('syncInterval', DEFAULTS.storageSyncInterval, 0, LIMITS.maxTimerMillis),
    whenFull: oneOf<StorageWhenFull>('storage.whenFull', given.whenFull, ['drop_newest', 'drop_oldest'], DEFAULTS.storageWhenFull),
  });
}

/**
 * Merges user options, then environment, then defaults, and validates each. Throws
 * `ConfigurationError` naming the option, the expected and the actual value.
 */
export function resolveDeliveryOptions(options: DeliveryOptions | undefined): DeliveryConfig {
  const given = readOptions(options);
  return Object.freeze({
    writeKey: resolveWriteKey(given),
    ...resolveEndpoint(given),
    flushAt: integer(given, 'flushAt', 1),
    flushInterval: millis(given, 'flushInterval', 1),
    maxQueueSize: integer(given, 'maxQueueSize', 1),
    maxRetries: integer(given, 'maxRetries', 0),
    maxRetryDuration: millis(given, 'maxRetryDuration', 0),
    httpRequestTimeout: millis(given, 'httpRequestTimeout', 1),
    maxConcurrentRequests: integer(given, 'maxConcurrentRequests', 1),
    compression: resolveCompression(given),
    disable: resolveBoolean('disable', given.disable, DEFAULTS.disable),
    dispatcher: resolveDispatcher(given),
    storage: resolveStorage(given),
    deadLetterFile: given.deadLetterFile === undefined ? undefined : resolveFilePath('deadLetterFile', given.deadLetterFile),
  });
}

/**
 * The deadline of `closeAndFlush(options)`. Absent or null options mean the default; anything
 * else that is not an object (a bare number of milliseconds, say) is refused rather than ignored.
 */
export function resolveCloseTimeout(options: unknown): number {
  if (options === undefined || options === null) return DEFAULTS.closeTimeout;
  if (typeof options !== 'object') throw invalid('options', 'an object such as { timeout: 5000 }', describe(options));
  let timeout: unknown;
  try {
    timeout = (options as { timeout?: unknown }).timeout ?? DEFAULTS.closeTimeout;
  } catch (error) {
    throw new ConfigurationError('options', 'options is invalid, expected an object whose timeout can be read, actual one that threw while read', { cause: error });
  }
  if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 0 || timeout > LIMITS.maxTimerMillis) {
    throw invalid('timeout', `an integer from 0 to ${LIMITS.maxTimerMillis}`, describe(timeout));
  }
  return timeout;
}

/** Plan enforcement settings after defaults and validation. */
export interface PlanEnforcement {
  readonly unplannedEvents: UnplannedEventAction;
  readonly unplannedProperties: UnplannedPropertyAction;
  readonly otherViolations: PlanViolationAction;
  readonly recordOmittedProperties: boolean;
}

/** Merges the plan enforcement settings with their defaults; throws `ConfigurationError` for a bad one. */
export function resolvePlanEnforcement(options: PlanEnforcementOptions | undefined): PlanEnforcement {
  const given = readOptions(options);
  return Object.freeze({
    unplannedEvents: oneOf('planEnforcement.unplannedEvents', given.unplannedEvents, ['allow', 'report', 'drop'], DEFAULTS.unplannedEvents),
    unplannedProperties: oneOf('planEnforcement.unplannedProperties', given.unplannedProperties, ['keep', 'omit'], DEFAULTS.unplannedProperties),
    otherViolations: oneOf('planEnforcement.otherViolations', given.otherViolations, ['report', 'drop', 'throw'], DEFAULTS.otherViolations),
    recordOmittedProperties: resolveBoolean('planEnforcement.recordOmittedProperties', given.recordOmittedProperties, DEFAULTS.recordOmittedProperties),
  });
}

/**
 * The `beforeSend` option as a list of hooks (empty when unset). Throws `ConfigurationError` for a
 * value that is not a function or a list of functions, naming the offending entry.
 */
export function resolveBeforeSend(value: unknown): readonly BeforeSend[] {
  if (value === undefined) return [];
  if (typeof value === 'function') return [value as BeforeSend];
  if (!Array.isArray(value)) throw invalid('beforeSend', 'a function or a list of functions', describe(value));
  const hooks = [...(value as unknown[])];
  hooks.forEach((hook, index) => {
    if (typeof hook !== 'function') throw invalid(`beforeSend[${index}]`, 'a function', describe(hook));
  });
  return Object.freeze(hooks as BeforeSend[]);
}
