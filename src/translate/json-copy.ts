/** What {@link jsonCopy} returns for data it does not copy: the caller serializes the original instead. */
export const NOT_COPIED: unique symbol = Symbol('not copied');

/** Deeper than this the copy gives up (a cycle, or data no event needs); JSON.stringify then says what is wrong. */
const MAX_DEPTH = 32;

/**
 * Keys and items one copy may hold. A 32 KB message cannot hold more (`0,` alone is 2 bytes), and
 * without a bound a small graph of shared references (`x = [x, x]`, 26 times) would be copied into
 * gigabytes, where JSON.stringify fails safely on the length of its text.
 */
const MAX_VALUES = 20_000;

const dateToJSON = Date.prototype.toJSON;
const EMPTY = Object.freeze({});

/** What one copy has left to spend. */
interface Budget {
  values: number;
}

/**
 * A copy of a plain object equal to `JSON.parse(JSON.stringify(object))`, made by reading each
 * property once, without the text in between. A shaping stage is given the copy, and the copy is
 * what is serialized, so what a stage checks is what is sent, even when a getter answers
 * differently at each read.
 *
 * Covers what app data is made of: strings, booleans, null, numbers (non-finite ones become null
 * and -0 becomes 0, as JSON writes them), Dates (what their `toJSON` returns, copied in turn),
 * arrays and plain objects (keys whose value is undefined, a function or a symbol are left out,
 * and such items become null, as in JSON). Anything else (class instances, other `toJSON`
 * methods, boxed primitives, BigInt, nesting deeper than 32, more than 20,000 keys and items in
 * all), and any exception a getter or a Proxy trap throws, gives {@link NOT_COPIED}: the original
 * is then serialized by JSON, with JSON's own rules and errors. Never throws.
 *
 * The copy reads an object's properties before it descends into them, where JSON descends into
 * each in turn: a getter that changes its siblings may be seen otherwise than JSON.stringify would
 * have seen it (what is checked is still what is sent). Symbol-keyed properties, which JSON skips,
 * are left out.
 */
export function jsonCopy(object: Record<string, unknown>): Record<string, unknown> | typeof NOT_COPIED {
  if (prototypeHasEnumerableKeys()) return NOT_COPIED;
  let copied: unknown;
  try {
    copied = copyObject(object, 1, { values: MAX_VALUES });
  } catch {
    return NOT_COPIED;
  }
  // A getter may have added a key to Object.prototype while the copy ran: for-in would have seen it.
  return prototypeHasEnumerableKeys() ? NOT_COPIED : (copied as Record<string, unknown> | typeof NOT_COPIED);
}

/** The copy walks its objects with for-in, which would also visit a key an app added to Object.prototype. */
function prototypeHasEnumerableKeys(): boolean {
  for (const key in EMPTY) if (Object.hasOwn(Object.prototype, key)) return true;
  return false;
}

function copy(value: unknown, depth: number, budget: Budget): unknown {
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
      return Array.isArray(value) ? copyArray(value, depth + 1, budget) : copyObject(value as Record<string, unknown>, depth + 1, budget);
    case 'bigint':
      return NOT_COPIED;
    default:
      return undefined;
  }
}

function copyArray(array: readonly unknown[], depth: number, budget: Budget): unknown {
  if (Object.getPrototypeOf(array) !== Array.prototype || typeof (array as { toJSON?: unknown }).toJSON === 'function') return NOT_COPIED;
  // Read once, as JSON reads it; items by index, never through a method the array could replace.
  const length = array.length;
  budget.values -= length;
  if (budget.values < 0) return NOT_COPIED;
  const out: unknown[] = [];
  for (let index = 0; index < length; index += 1) {
    const item = array[index];
    const copied = typeof item === 'string' ? item : copy(item, depth, budget);
    if (copied === NOT_COPIED) return NOT_COPIED;
    out.push(copied === undefined ? null : copied);
  }
  return out;
}

function copyObject(object: Record<string, unknown>, depth: number, budget: Budget): unknown {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto === Date.prototype) return object.toJSON === dateToJSON ? copy((object as unknown as Date).toJSON(), depth, budget) : NOT_COPIED;
  if ((proto !== Object.prototype && proto !== null) || typeof object.toJSON === 'function') return NOT_COPIED;
  // Spreading reads each property once (getters included) and defines the copy's own keys, so a
  // `__proto__` key stays a key. It also copies symbol-keyed properties, by reference: JSON never
  // sends them, and a stage given the copy must not reach the caller's objects through them.
  let out: Record<string, unknown> = { ...object };
  if (Object.getOwnPropertySymbols(out).length > 0) out = Object.fromEntries(Object.entries(out));
  for (const key in out) {
    budget.values -= 1;
    const value = out[key];
    if (typeof value === 'string' || typeof value === 'boolean' || value === null || (typeof value === 'number' && value !== 0 && Number.isFinite(value))) continue;
    const copied = copy(value, depth, budget);
    if (copied === NOT_COPIED) return NOT_COPIED;
    if (copied === undefined) delete out[key];
    else out[key] = copied;
  }
  return budget.values < 0 ? NOT_COPIED : out;
}
