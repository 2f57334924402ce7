import { constants as bufferConstants } from 'node:buffer';
import { isIP } from 'node:net';
import { ConfigurationError } from '../errors/metarouter-error.js';
import { DEFAULTS } from './defaults.js';
import type { SinkFault, SinkFaultKind, SinkOptions } from './options.js';
import type { TrackingPlanSource } from '../shaping/tracking-plan/plan-source.js';

/** Sink options after defaults and validation. */
export interface SinkConfig {
  readonly port: number;
  readonly hostname: string;
  readonly token: string | undefined;
  readonly out: string | undefined;
  readonly onLine: ((line: string) => void) | undefined;
  readonly maxBodyBytes: number;
  readonly maxHistory: number;
  readonly traceUrl: string | undefined;
  readonly maxStreamClients: number;
  readonly fault: SinkFault | undefined;
  readonly retryAfterSeconds: number;
  readonly slowMillis: number;
  /** Compiled by the sink, which owns the plan's problems. */
  readonly trackingPlan: TrackingPlanSource | string | undefined;
}

/** Every fault the sink can simulate. */
export const SINK_FAULT_KINDS: readonly SinkFaultKind[] = Object.freeze(['500', '429', '413', '401', 'slow']);

function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' || value == null ? String(value) : typeof value;
}

function invalid(option: string, expected: string, actual: unknown): ConfigurationError {
  return new ConfigurationError(option, `${option} is invalid, expected ${expected}, actual ${shown(actual)}`);
}

function integer(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(option, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** True for addresses only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '::1' || hostname === '[::1]') return true;
  return isIP(hostname) === 4 && hostname.startsWith('127.');
}

function resolveToken(token: unknown, hostname: string): string | undefined {
  if (token === undefined) {
    if (!isLoopback(hostname)) {
      throw new ConfigurationError('token', `token is required when hostname is not a loopback address (hostname ${JSON.stringify(hostname)}): the debugger page shows user data`);
    }
    return undefined;
  }
  if (typeof token !== 'string' || token === '' || /[\u0000-\u0020\u007f]/.test(token)) {
    // The token never appears in a message, like the writeKey.
    throw new ConfigurationError('token', 'token is invalid, expected a non-empty string without spaces or control characters');
  }
  return token;
}

function resolveTraceUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const expected = 'an http(s) URL template holding {traceId}';
  if (typeof value !== 'string' || !value.includes('{traceId}')) throw invalid('traceUrl', expected, value);
  let protocol: string;
  try {
    protocol = new URL(value.replaceAll('{traceId}', '0')).protocol;
  } catch {
    throw invalid('traceUrl', expected, value);
  }
  // Anything else (javascript:, data:) would turn a link on the page into script.
  if (protocol !== 'http:' && protocol !== 'https:') throw invalid('traceUrl', expected, value);
  return value;
}

function resolveFault(value: SinkFault | undefined): SinkFault | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || !SINK_FAULT_KINDS.includes(value.kind)) {
    throw invalid('fault.kind', `one of ${SINK_FAULT_KINDS.join(', ')}`, (value as SinkFault | null)?.kind);
  }
  return { kind: value.kind, count: integer('fault.count', value.count, 1, 1_000_000) };
}

/** Merges the sink's options with the defaults and validates them. Throws `ConfigurationError` naming the option. */
export function resolveSinkOptions(options: SinkOptions | undefined): SinkConfig {
  const given = options ?? {};
  const hostname = given.hostname ?? DEFAULTS.sink.hostname;
  if (typeof hostname !== 'string' || hostname === '' || /\s/.test(hostname)) throw invalid('hostname', 'an address such as 127.0.0.1', hostname);
  if (given.out !== undefined && (typeof given.out !== 'string' || given.out === '')) throw invalid('out', 'a file path', given.out);
  if (given.onLine !== undefined && typeof given.onLine !== 'function') throw invalid('onLine', 'a function', given.onLine);
  return Object.freeze({
    port: integer('port', given.port ?? DEFAULTS.sink.port, 0, 65535),
    hostname,
    token: resolveToken(given.token, hostname),
    out: given.out,
    onLine: given.onLine,
    maxBodyBytes: integer('maxBodyBytes', given.maxBodyBytes ?? DEFAULTS.sink.maxBodyBytes, 1, Math.min(bufferConstants.MAX_LENGTH, 2 ** 31 - 1)),
    maxHistory: integer('maxHistory', given.maxHistory ?? DEFAULTS.sink.maxHistory, 1, 10_000_000),
    traceUrl: resolveTraceUrl(given.traceUrl),
    maxStreamClients: integer('maxStreamClients', given.maxStreamClients ?? DEFAULTS.sink.maxStreamClients, 1, 100_000),
    fault: resolveFault(given.fault),
    retryAfterSeconds: integer('retryAfterSeconds', given.retryAfterSeconds ?? DEFAULTS.sink.retryAfterSeconds, 0, 3600),
    slowMillis: integer('slowMillis', given.slowMillis ?? DEFAULTS.sink.slowMillis, 0, 600_000),
    trackingPlan: given.trackingPlan,
  });
}
