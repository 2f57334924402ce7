import type { ErrorCode } from '../errors/codes.js';
import { parseRetryAfter } from './retry-after.js';
import type { TransportResult } from './transport-result.js';

/** The parts of an HTTP response that decide what happens to a batch. */
export interface ResponseFacts {
  readonly status: number;
  readonly retryAfter: string | string[] | undefined;
  /** The start of the body (capped), as text. */
  readonly body: string;
  /** False when the body was cut at the read limit or broke off: only its start is known. */
  readonly bodyComplete: boolean;
}

const NOT_RETRYABLE_5XX = new Set([501, 505]);

function failed(code: ErrorCode, facts: ResponseFacts): TransportResult {
  return { kind: 'failed', code, status: facts.status, detail: facts.body.slice(0, 500) };
}

/**
 * messageIds named in a 207 body such as `{"Errors":[{"messageId":"…","error":"…"}]}`, or undefined
 * when the body does not say which messages were rejected: then none may be counted delivered.
 */
function rejectedIdsOf(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const record = parsed as Record<string, unknown>;
  const list = record.Errors ?? record.errors;
  if (!Array.isArray(list)) return undefined;
  const ids: string[] = [];
  for (const item of list) {
    const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).messageId : undefined;
    if (typeof id !== 'string') return undefined;
    ids.push(id);
  }
  return ids;
}

/**
 * Maps a response to the transport union, by the status table of ARCHITECTURE.md: 2xx success
 * (207 names its rejected messages; a 207 that cannot say which fails the batch, since counting it
 * delivered would hide the rejected ones); 408, 429 and 5xx but 501/505 retryable with the server's
 * Retry-After; 413 too large; 401/403 and 404 configuration faults; any other status rejects.
 */
export function classifyResponse(facts: ResponseFacts, nowMillis: number): TransportResult {
  const { status } = facts;
  if (status >= 200 && status < 300) {
    if (status !== 207) return { kind: 'success', status, rejectedIds: [], detail: '' };
    const rejectedIds = facts.bodyComplete ? rejectedIdsOf(facts.body) : undefined;
    if (rejectedIds === undefined) return failed('MR_ERR_PARTIAL_UNREADABLE', facts);
    return { kind: 'success', status, rejectedIds, detail: facts.body.slice(0, 500) };
  }
  if (status === 408 || status === 429 || (status >= 500 && status < 600 && !NOT_RETRYABLE_5XX.has(status))) {
    return {
      kind: 'retryable',
      reason: `HTTP ${status}`,
      status,
      retryAfterMillis: parseRetryAfter(facts.retryAfter, nowMillis),
    };
  }
  if (status === 413) return { kind: 'too-large', status };
  if (status === 401 || status === 403) return failed('MR_ERR_UNAUTHORIZED', facts);
  if (status === 404) return failed('MR_ERR_ENDPOINT_NOT_FOUND', facts);
  return failed('MR_ERR_REJECTED', facts);
}
