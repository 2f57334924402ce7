import type { ErrorObject } from 'ajv';

/**
 * The kinds of violation, named as RudderStack names them (Protocols users will recognise them):
 * an event the plan does not list, a name the plan does not list in `properties`/`traits`, a
 * required field missing, a value of the wrong JSON type, a name the schema itself forbids, and
 * any other broken constraint (enum, pattern, range, format, …).
 */
export const VIOLATION_TYPES = Object.freeze([
  'Unplanned-Event',
  'Unplanned-Property',
  'Required-Missing',
  'Datatype-Mismatch',
  'Additional-Properties',
  'Invalid-Value',
] as const);

/** One of {@link VIOLATION_TYPES}. */
export type ViolationType = (typeof VIOLATION_TYPES)[number];

/** One way a message breaks its plan. */
export interface Violation {
  readonly type: ViolationType;
  /** Where, as a dotted path into the message: `properties.revenue`, `traits.address.city`, `context.app`. */
  readonly field: string;
  /** What was expected and what was found, in one sentence. */
  readonly description: string;
  /** The rule that was broken, e.g. `TRACK "Order Completed" v2 (rules[3])`; undefined for an unplanned event. */
  readonly rule: string | undefined;
}

/** The most violations recorded for one message; a message breaking more is reported with these. */
export const MAX_VIOLATIONS_PER_MESSAGE = 20;

/**
 * `path` and one more name: `.name`, `[3]` for an index, `["a name"]` for a name that is not a
 * plain word, so that a path stays one unambiguous line whatever the names hold.
 */
export function joinPath(path: string, name: string): string {
  if (/^\d+$/.test(name)) return `${path}[${name}]`;
  if (!/^[\w$-]+$/.test(name)) return `${path}[${JSON.stringify(name)}]`;
  return path === '' ? name : `${path}.${name}`;
}

/** `/properties/items/0/sku` → `properties.items[0].sku`. */
export function fieldPath(pointer: string, child?: string): string {
  let path = '';
  const parts = pointer === '' ? [] : pointer.slice(1).split('/');
  if (child !== undefined) parts.push(child);
  for (const raw of parts) path = joinPath(path, raw.replace(/~1/g, '/').replace(/~0/g, '~'));
  return path === '' ? '(message)' : path;
}

function valueAt(message: unknown, pointer: string): unknown {
  let value = message;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

type Reader = (error: ErrorObject, message: unknown) => { type: ViolationType; field: string; expected: string };

/** Ajv keyword → violation. Keywords not listed are `Invalid-Value`, with Ajv's own wording. */
const BY_KEYWORD: Readonly<Record<string, Reader>> = {
  required: (error) => ({ type: 'Required-Missing', field: fieldPath(error.instancePath, String(error.params.missingProperty)), expected: 'is required' }),
  type: (error, message) => ({
    type: 'Datatype-Mismatch',
    field: fieldPath(error.instancePath),
    expected: `must be ${String(error.params.type).replace(/,/g, ' or ')}, got ${jsonType(valueAt(message, error.instancePath))}`,
  }),
  additionalProperties: (error) => ({
    type: 'Additional-Properties',
    field: fieldPath(error.instancePath, String(error.params.additionalProperty)),
    expected: 'is not allowed by the plan (additionalProperties: false)',
  }),
  enum: (error) => ({
    type: 'Invalid-Value',
    field: fieldPath(error.instancePath),
    expected: `must be one of ${JSON.stringify(error.params.allowedValues)}`,
  }),
};

/** The violations Ajv found, as the plan's words: type, field path, what was expected. */
export function violationsOf(errors: readonly ErrorObject[], message: unknown, rule: string, into: Violation[]): void {
  for (const error of errors) {
    if (into.length >= MAX_VIOLATIONS_PER_MESSAGE) return;
    const read = BY_KEYWORD[error.keyword];
    const { type, field, expected } = read === undefined
      ? { type: 'Invalid-Value' as const, field: fieldPath(error.instancePath), expected: error.message ?? `breaks "${error.keyword}"` }
      : read(error, message);
    into.push({ type, field, description: `${field} ${expected} (rule ${rule})`, rule });
  }
}
