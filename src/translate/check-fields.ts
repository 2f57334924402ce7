import type { ErrorCode } from '../errors/codes.js';
import { LIMITS } from '../config/defaults.js';
import type { EventType } from './analytics-record.js';

/** What is wrong with a call's fields, if anything. */
export interface FieldProblem {
  readonly code: ErrorCode;
  readonly field: string;
  readonly message: string;
  /** The exception behind it, when reading or serializing threw. */
  readonly cause?: unknown;
}

const REQUIRED: Readonly<Record<EventType, readonly string[]>> = Object.freeze({
  identify: [],
  track: ['event'],
  page: [],
  screen: [],
  group: ['groupId'],
  alias: ['previousId', 'userId'],
});

/** String fields of the Segment Spec. Ids may also be finite numbers, sent as strings (as the Python library did). */
const STRING_FIELDS = ['event', 'name', 'category'] as const;
const ID_FIELDS = ['userId', 'anonymousId', 'groupId', 'previousId'] as const;
const OBJECT_FIELDS = ['properties', 'traits', 'context', 'integrations'] as const;

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * True for `{}`-literal-like objects: not arrays, class instances, Maps, Dates or Buffers. Never
 * throws: a Proxy whose `getPrototypeOf` trap throws (or a revoked one) is not a plain object.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  let proto: unknown;
  try {
    proto = Object.getPrototypeOf(value);
  } catch {
    return false;
  }
  return proto === Object.prototype || proto === null;
}

/**
 * The Segment Spec rules for one call type, shared by the facade (which throws) and the readers of
 * log records, span events and OTLP (which report). Returns the first problem found.
 */
export function checkFields(type: EventType, fields: Readonly<Record<string, unknown>>, context: unknown): FieldProblem | undefined {
  for (const key of ID_FIELDS) {
    const value = fields[key];
    if (isPresent(value) && typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      return { code: 'MR_ERR_INVALID_FIELD', field: key, message: `${key} must be a string or a finite number` };
    }
  }
  for (const key of STRING_FIELDS) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') {
      return { code: 'MR_ERR_INVALID_FIELD', field: key, message: `${key} must be a string` };
    }
  }
  for (const key of OBJECT_FIELDS) {
    const value = key === 'context' ? context : fields[key];
    if (value !== undefined && !isPlainObject(value)) {
      return { code: 'MR_ERR_INVALID_FIELD', field: key, message: `${key} must be a plain object` };
    }
  }
  if (type !== 'alias' && !isPresent(fields.userId) && !isPresent(fields.anonymousId)) {
    return { code: 'MR_ERR_MISSING_IDENTITY', field: 'userId', message: `${type} needs a userId or an anonymousId` };
  }
  for (const key of REQUIRED[type]) {
    if (!isPresent(fields[key])) {
      return { code: 'MR_ERR_MISSING_FIELD', field: key, message: `${type} needs ${key}` };
    }
  }
  return undefined;
}

/** A user-supplied messageId must be a non-empty string of at most 100 characters. */
export function checkMessageId(value: unknown): FieldProblem | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > LIMITS.maxMessageIdLength) {
    return {
      code: 'MR_ERR_INVALID_FIELD',
      field: 'messageId',
      message: `messageId must be a non-empty string of at most ${LIMITS.maxMessageIdLength} characters`,
    };
  }
  return undefined;
}
