import type { FieldProblem } from './check-fields.js';

/** The Segment Spec fields of a call, in wire order; `context` travels apart (the library adds to it). */
export const SEGMENT_FIELDS = ['userId', 'anonymousId', 'event', 'name', 'category', 'groupId', 'previousId', 'properties', 'traits', 'integrations'] as const;

const ID_FIELDS: ReadonlySet<string> = new Set(['userId', 'anonymousId', 'groupId', 'previousId']);
const OBJECT_FIELDS: ReadonlySet<string> = new Set(['properties', 'traits', 'integrations', 'context']);

/** A call's fields, each read exactly once from the caller's object. */
export interface PickedFields {
  /** The Segment fields present, numeric ids as strings, `toJSON` of object fields applied. */
  readonly fields: Record<string, unknown>;
  readonly context: unknown;
}

function hasToJSON(value: unknown): value is { toJSON(key: string): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** One field's value, read once; a finite numeric id becomes a string, an object's `toJSON` is applied. */
function readField(source: Readonly<Record<string, unknown>>, key: string): unknown {
  const value = source[key];
  // The value's type is asked first: most fields are absent or strings, and need no set lookup.
  if (typeof value === 'number') return ID_FIELDS.has(key) && Number.isFinite(value) ? String(value) : value;
  // Applied here, so that the checks see what JSON would send: a toJSON returning a string would
  // otherwise put `"properties":"text"` (or a broken context) on the wire.
  if (typeof value === 'object' && value !== null && OBJECT_FIELDS.has(key) && hasToJSON(value)) return value.toJSON(key);
  return value;
}

/**
 * Reads each Segment field of `source` exactly once: a getter that changes its value between
 * reads, or throws, cannot make what is checked differ from what is sent. Returns a problem when
 * reading a field throws.
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
    return { fields, context: readField(source, key) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { code: 'MR_ERR_NOT_SERIALIZABLE', field: key, message: `${key} could not be read: ${reason}`, cause: error };
  }
}
