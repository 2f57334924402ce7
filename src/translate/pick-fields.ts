import { readThrown } from '../errors/metarouter-error.js';
import { isPlainObject, type FieldProblem } from './check-fields.js';
import { RESERVED_CONTEXT_KEYS } from './message.js';

/** The Segment Spec fields of a call, in wire order; `context` travels apart (the library adds to it). */
export const SEGMENT_FIELDS = ['userId', 'anonymousId', 'event', 'name', 'category', 'groupId', 'previousId', 'properties', 'traits', 'integrations'] as const;

const ID_FIELDS: ReadonlySet<string> = new Set(['userId', 'anonymousId', 'groupId', 'previousId']);
const OBJECT_FIELDS: ReadonlySet<string> = new Set(['properties', 'traits', 'integrations', 'context']);

/** A call's fields, each read exactly once from the caller's object. */
export interface PickedFields {
  /** The Segment fields present, numeric ids as strings, `toJSON` of object fields applied. */
  readonly fields: Record<string, unknown>;
  /** The context as given, without the keys this package owns (`library`, `otel`) when it is a plain object. */
  readonly context: unknown;
}

function hasToJSON(value: object): value is { toJSON(key: string): unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * One field's value, read once; a finite numeric id becomes a string, an object's `toJSON` is
 * applied, and an object's prototype is looked up here, where a Proxy trap that throws is caught,
 * so that the checks after this (which ask it again) meet no exception.
 */
function readField(source: Readonly<Record<string, unknown>>, key: string): unknown {
  const value = source[key];
  // The value's type is asked first: most fields are absent or strings, and need no set lookup.
  if (typeof value === 'number') return ID_FIELDS.has(key) && Number.isFinite(value) ? String(value) : value;
  if (typeof value !== 'object' || value === null || !OBJECT_FIELDS.has(key)) return value;
  // Applied here, so that the checks see what JSON would send: a toJSON returning a string would
  // otherwise put `"properties":"text"` (or a broken context) on the wire.
  if (hasToJSON(value)) return value.toJSON(key);
  Object.getPrototypeOf(value);
  return value;
}

/** The context without the keys this package owns; copied key by key (a `delete` would slow its serialization). */
function withoutReserved(context: unknown): unknown {
  if (!isPlainObject(context)) return context;
  for (const key of RESERVED_CONTEXT_KEYS) {
    if (Object.hasOwn(context, key)) {
      // fromEntries defines own properties: a `__proto__` key stays a key, never a prototype.
      return Object.fromEntries(Object.entries(context).filter(([name]) => !RESERVED_CONTEXT_KEYS.has(name)));
    }
  }
  return context;
}

function unreadable(field: string, error: unknown): FieldProblem {
  const { text, cause } = readThrown(error);
  return { code: 'MR_ERR_NOT_SERIALIZABLE', field, message: `${field} could not be read: ${text}`, cause };
}

/**
 * Reads `source[key]` once, for a field outside the Segment ones (`timestamp`, `messageId`): a
 * getter or Proxy trap that throws, whatever it throws, gives a problem naming the field. Never throws.
 */
export function readOnce(source: Readonly<Record<string, unknown>>, key: string): { readonly value: unknown } | FieldProblem {
  try {
    return { value: source[key] };
  } catch (error) {
    return unreadable(key, error);
  }
}

/**
 * The one reader of a caller's (or a hook's) message object: reads each Segment field of `source`
 * exactly once, so that a getter that changes its value between reads cannot make what is checked
 * differ from what is sent, and turns anything a getter, `toJSON` or Proxy trap throws into a
 * problem naming the field. Never throws.
 */
export function pickFields(source: Readonly<Record<string, unknown>>): PickedFields | FieldProblem {
  const fields: Record<string, unknown> = {};
  let key = 'context';
  try {
    for (key of SEGMENT_FIELDS) {
      const value = readField(source, key);
      if (value !== undefined) fields[key] = value;
    }
    key = 'context';
    return { fields, context: withoutReserved(readField(source, key)) };
  } catch (error) {
    return unreadable(key, error);
  }
}
