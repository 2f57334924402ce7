import { constants as bufferConstants } from 'node:buffer';
import { ConfigurationError } from '../errors/metarouter-error.js';
import { DEFAULTS } from './defaults.js';
import { checkInteger, checkListenAddress, CONTROL_OR_SPACE, describe, invalid, isLoopback } from './validate.js';
import type { SinkFault, SinkFaultKind, SinkOptions } from './sink-options.js';
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

function resolveToken(token: unknown, hostname: string): string | undefined {
  if (token === undefined) {
    if (!isLoopback(hostname)) {
      throw new ConfigurationError('token', `token is required when hostname is not a loopback address (hostname ${JSON.stringify(hostname)}): the debugger page shows user data`);
    }
    return undefined;
  }
  if (typeof token !== 'string' || token === '' || CONTROL_OR_SPACE.test(token)) {
    // The token never appears in a message, like the writeKey.
    throw new ConfigurationError('token', 'token is invalid, expected a non-empty string without spaces or control characters');
  }
  return token;
}

function resolveTraceUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const expected = 'an http(s) URL template holding {traceId}';
  if (typeof value !== 'string' || !value.includes('{traceId}')) throw invalid('traceUrl', expected, describe(value));
  let protocol: string;
  try {
    protocol = new URL(value.replaceAll('{traceId}', '0')).protocol;
  } catch {
    throw invalid('traceUrl', expected, describe(value));
  }
  // Anything else (javascript:, data:) would turn a link on the page into script.
  if (protocol !== 'http:' && protocol !== 'https:') throw invalid('traceUrl', expected, describe(value));
  return value;
}

function resolveFault(value: SinkFault | undefined): SinkFault | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || !SINK_FAULT_KINDS.includes(value.kind)) {
    throw invalid('fault.kind', `one of ${SINK_FAULT_KINDS.join(', ')}`, describe((value as SinkFault | null)?.kind));
  }
  return { kind: value.kind, count: checkInteger('fault.count', value.count, 1, 1_000_000) };
}

/** Merges the sink's options with the defaults and validates them. Throws `ConfigurationError` naming the option. */
export function resolveSinkOptions(options: SinkOptions | undefined): SinkConfig {
  const given = options ?? {};
  const hostname = checkListenAddress('hostname', given.hostname ?? DEFAULTS.sink.hostname, '127.0.0.1');
  if (given.out !== undefined && (typeof given.out !== 'string' || given.out === '')) throw invalid('out', 'a file path', describe(given.out));
  if (given.onLine !== undefined && typeof given.onLine !== 'function') throw invalid('onLine', 'a function', describe(given.onLine));
  return Object.freeze({
    port: checkInteger('port', given.port ?? DEFAULTS.sink.port, 0, 65535),
    hostname,
    token: resolveToken(given.token, hostname),
    out: given.out,
    onLine: given.onLine,
    maxBodyBytes: checkInteger('maxBodyBytes', given.maxBodyBytes ?? DEFAULTS.sink.maxBodyBytes, 1, Math.min(bufferConstants.MAX_LENGTH, 2 ** 31 - 1)),
    maxHistory: checkInteger('maxHistory', given.maxHistory ?? DEFAULTS.sink.maxHistory, 1, 10_000_000),
    traceUrl: resolveTraceUrl(given.traceUrl),
    maxStreamClients: checkInteger('maxStreamClients', given.maxStreamClients ?? DEFAULTS.sink.maxStreamClients, 1, 100_000),
    fault: resolveFault(given.fault),
    retryAfterSeconds: checkInteger('retryAfterSeconds', given.retryAfterSeconds ?? DEFAULTS.sink.retryAfterSeconds, 0, 3600),
    slowMillis: checkInteger('slowMillis', given.slowMillis ?? DEFAULTS.sink.slowMillis, 0, 600_000),
    trackingPlan: given.trackingPlan,
  });
}
