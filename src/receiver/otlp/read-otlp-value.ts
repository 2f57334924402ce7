import type { HrTime } from '@opentelemetry/api';

/**
 * An OTLP request whose shape cannot be read: a field of the wrong type in OTLP JSON, an id of the
 * wrong length, values nested too deep. The receiver answers it with 400; it never leaves there.
 */
export class OtlpShapeError extends Error {}

/**
 * How deep `kvlistValue`/`arrayValue` may nest. Protobuf decoding stops near the same depth
 * (protobufjs's recursion limit of 100 messages, three per level); JSON is held to it here.
 */
const MAX_VALUE_DEPTH = 32;

/** A 64-bit integer as protobufjs decodes it (a `Long`), read by shape. */
interface LongBits {
  readonly low: number;
  readonly high: number;
}

function isLongBits(value: unknown): value is LongBits {
  return typeof value === 'object' && value !== null && typeof (value as LongBits).low === 'number' && typeof (value as LongBits).high === 'number';
}

function shape(message: string): OtlpShapeError {
  return new OtlpShapeError(message);
}

/** A list field: absent is empty; protobuf gives an array, OTLP JSON must too. */
export function listOf(value: unknown, field: string): readonly unknown[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw shape(`${field} must be an array`);
  return value;
}

/** An object field (a message in OTLP JSON or a decoded protobuf message). */
export function objectOf(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw shape(`${field} must be an object`);
  return value as Record<string, unknown>;
}

/** A string field; absent is ''. */
export function stringOf(value: unknown, field: string): string {
  if (value == null) return '';
  if (typeof value !== 'string') throw shape(`${field} must be a string`);
  return value;
}

/** A fixed64 time in nanoseconds since the epoch: a protobuf Long, or a JSON number or decimal string. 0n when absent. */
export function readNanos(value: unknown, field: string): bigint {
  if (value == null) return 0n;
  if (isLongBits(value)) return (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  throw shape(`${field} must be an unsigned integer (number or decimal string)`);
}

/** Nanoseconds since the epoch as the `[seconds, nanoseconds]` pair OpenTelemetry JS uses. */
export function nanosToHrTime(nanos: bigint): HrTime {
  return [Number(nanos / 1_000_000_000n), Number(nanos % 1_000_000_000n)];
}

/**
 * A trace or span id as lowercase hex, or undefined when absent or all zeros (invalid in OTLP).
 * Protobuf carries the bytes; OTLP JSON carries hex.
 */
export function readId(value: unknown, bytes: number, field: string): string | undefined {
  if (value == null || value === '') return undefined;
  let hex: string;
  if (value instanceof Uint8Array) {
    if (value.length === 0) return undefined;
    if (value.length !== bytes) throw shape(`${field} must be ${bytes} bytes`);
    hex = Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  } else if (typeof value === 'string' && value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) {
    hex = value.toLowerCase();
  } else {
    throw shape(`${field} must be ${bytes * 2} hex digits`);
  }
  return /^0+$/.test(hex) ? undefined : hex;
}

/** A signed int64 attribute value: a number when it is a safe integer, else its exact decimal text. */
function readInt(value: unknown): number | string {
  if (isLongBits(value)) {
    const approximate = value.high * 2 ** 32 + (value.low >>> 0);
    if (Number.isSafeInteger(approximate)) return approximate;
    return BigInt.asIntN(64, (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)).toString();
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const exact = BigInt(value);
    const number = Number(exact);
    return Number.isSafeInteger(number) ? number : exact.toString();
  }
  throw shape('intValue must be an integer (number or decimal string)');
}

/** A double attribute value; OTLP JSON may spell the non-finite ones as strings. */
function readDouble(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  throw shape('doubleValue must be a number');
}

/** Bytes as base64 text: protobuf carries the bytes, OTLP JSON already carries base64. */
function readBytes(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
  if (typeof value === 'string') return value;
  throw shape('bytesValue must be base64 text');
}

/**
 * An OTLP `AnyValue` as a plain JS value: kvlist → object, array → array, bytes → base64 text,
 * int64 → number (or decimal text past 2^53), empty → null.
 */
export function readAnyValue(value: unknown, depth = 0): unknown {
  if (value == null) return null;
  const any = objectOf(value, 'AnyValue');
  if (any.stringValue != null) return stringOf(any.stringValue, 'stringValue');
  if (any.intValue != null) return readInt(any.intValue);
  if (any.boolValue != null) {
    if (typeof any.boolValue !== 'boolean') throw shape('boolValue must be a boolean');
    return any.boolValue;
  }
  if (any.doubleValue != null) return readDouble(any.doubleValue);
  if (any.kvlistValue != null || any.arrayValue != null) {
    if (depth >= MAX_VALUE_DEPTH) throw shape(`values nest deeper than ${MAX_VALUE_DEPTH} levels`);
    if (any.kvlistValue != null) return readKeyValues(objectOf(any.kvlistValue, 'kvlistValue').values, true, depth + 1);
    return listOf(objectOf(any.arrayValue, 'arrayValue').values, 'arrayValue.values').map((item) => readAnyValue(item, depth + 1));
  }
  if (any.bytesValue != null) return readBytes(any.bytesValue);
  return null;
}

/**
 * A list of OTLP `KeyValue`s as a plain object. A `__proto__` key is defined as an ordinary own
 * property (assignment would set the prototype). With `keepEmpty` false (attributes), keys whose
 * value is empty are left out, as OpenTelemetry JS does; in a kvlist (a body map) they stay null.
 */
export function readKeyValues(list: unknown, keepEmpty: boolean, depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const item of listOf(list, 'KeyValue list')) {
    const pair = objectOf(item, 'KeyValue');
    const value = readAnyValue(pair.value, depth);
    if (value === null && !keepEmpty) continue;
    const key = stringOf(pair.key, 'key');
    if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
    else result[key] = value;
  }
  return result;
}

/** The value of one key of a `KeyValue` list, without reading the others; undefined when absent. */
export function findKeyValue(list: unknown, key: string): unknown {
  if (!Array.isArray(list)) return undefined;
  for (const item of list) {
    if (typeof item === 'object' && item !== null && (item as Record<string, unknown>).key === key) {
      return readAnyValue((item as Record<string, unknown>).value);
    }
  }
  return undefined;
}
