/** What {@link jsonCopy} returns for data it does not copy: the caller serializes the original instead. */
export const NOT_COPIED: unique symbol = Symbol('not copied');

/** Deeper than this the copy gives up (a cycle, or data no event needs); JSON.stringify then says what is wrong. */
const MAX_DEPTH = 32;

/**
 * Longer arrays are left to JSON: one longer than this cannot fit a message (`null,` alone is 5
 * bytes), and copying a hostile `length` would cost time before the size check refuses it.
 */
const MAX_ARRAY_LENGTH = 16_384;

const dateToJSON = Date.prototype.toJSON;

/**
 * A copy of a plain object equal to `JSON.parse(JSON.stringify(object))`, made by reading each value
 * once and without the text in between. A shaping stage is given the copy, and the copy is what is
 * serialized, so what a stage checks is what is sent, even when a getter answers differently at
 * each read.
 *
 * Covers what app data is made of: strings, booleans, null, numbers (non-finite ones become null,
 * as JSON writes them, and -0 becomes 0), Dates (through their own `toJSON`), arrays and plain objects (keys whose
 * value is undefined, a function or a symbol are left out, and such items become null, as in
 * JSON). Anything else (class instances, other `toJSON` methods, boxed primitives, BigInt, nesting
 * deeper than 32, arrays longer than 16,384) gives {@link NOT_COPIED}: JSON's own rules, and its
 * errors, are left to JSON. Throws only what a getter throws.
 */
export function jsonCopy(object: Record<string, unknown>): Record<string, unknown> | typeof NOT_COPIED {
  if (prototypeHasEnumerableKeys()) return NOT_COPIED;
  return copyObject(object, 1) as Record<string, unknown> | typeof NOT_COPIED;
}

const EMPTY = Object.freeze({});

/** The copy walks its objects with for-in, which would also visit a key an app added to Object.prototype. */
function prototypeHasEnumerableKeys(): boolean {
  for (const key in EMPTY) if (Object.hasOwn(Object.prototype, key)) return true;
  return false;
}

function copy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // `+ 0` turns -0 into 0, as JSON writes it.
      return Number.isFinite(value) ? value + 0 : null;
    case 'object':
      if (value === null) return null;
      if (depth === MAX_DEPTH) return NOT_COPIED;
      return Array.isArray(value) ? copyArray(value, depth + 1) : copyObject(value as Record<string, unknown>, depth + 1);
    case 'bigint':
      return NOT_COPIED;
    default:
      return undefined;
  }
}

function copyArray(array: readonly unknown[], depth: number): unknown {
  if (Object.getPrototypeOf(array) !== Array.prototype || typeof (array as { toJSON?: unknown }).toJSON === 'function' || array.length > MAX_ARRAY_LENGTH) return NOT_COPIED;
  // slice() reads each item once; only what is not a string is looked at again.
  const out = array.slice();
  for (let index = 0; index < out.length; index += 1) {
    const item = out[index];
    if (typeof item === 'string') continue;
    const copied = copy(item, depth);
    if (copied === NOT_COPIED) return NOT_COPIED;
    out[index] = copied === undefined ? null : copied;
  }
  return out;
}

function copyObject(object: Record<string, unknown>, depth: number): unknown {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto === Date.prototype) return object.toJSON === dateToJSON ? (object as unknown as Date).toJSON() : NOT_COPIED;
  if ((proto !== Object.prototype && proto !== null) || typeof object.toJSON === 'function') return NOT_COPIED;
  // Spreading reads each property once (getters included) and defines the copy's own keys, so a
  // `__proto__` key stays a key; symbol keys come along, and JSON skips them as it does in the original.
  const out: Record<string, unknown> = { ...object };
  for (const key in out) {
    const value = out[key];
    if (typeof value === 'string' || typeof value === 'boolean' || value === null || (typeof value === 'number' && value !== 0 && Number.isFinite(value))) continue;
    const copied = copy(value, depth);
    if (copied === NOT_COPIED) return NOT_COPIED;
    if (copied === undefined) delete out[key];
    else out[key] = copied;
  }
  return out;
}
