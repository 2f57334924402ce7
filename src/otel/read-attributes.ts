import type { FieldProblem } from '../translate/check-fields.js';
import { isPlainObject } from '../translate/check-fields.js';
import { ATTRIBUTES, OBJECT_ATTRIBUTES } from './convention.js';

/** Fields found on an event, by Segment Spec name, plus the messageId and timestamp it carried. */
export interface FoundFields {
  readonly fields: Record<string, unknown>;
  messageId: unknown;
  timestamp: unknown;
}

/**
 * Sets `root[a][b]… = value` without ever assigning through a prototype setter such as `__proto__`.
 * `owned` holds the objects made here: the others along the path may be the caller's own (a map
 * attribute, a record's body) and are copied, once each, so that N keys under one prefix cost N
 * steps, not N².
 */
function setPath(root: Record<string, unknown>, path: readonly string[], value: unknown, owned: WeakSet<object>): void {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const existing = Object.hasOwn(node, key) ? node[key] : undefined;
    let next: Record<string, unknown>;
    if (isPlainObject(existing) && owned.has(existing)) {
      next = existing;
    } else {
      next = isPlainObject(existing) ? { ...existing } : {};
      owned.add(next);
      Object.defineProperty(node, key, { value: next, enumerable: true, writable: true, configurable: true });
    }
    node = next;
  }
  Object.defineProperty(node, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

/** The value at `root[a][b]…`, read through own properties only. */
function getPath(root: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** Merges `value` in at `path`: objects key by key (the later one wins at each leaf), anything else replaced. */
function mergeAt(root: Record<string, unknown>, path: readonly string[], value: unknown, owned: WeakSet<object>): void {
  if (isPlainObject(value) && isPlainObject(getPath(root, path))) {
    for (const [key, inner] of Object.entries(value)) mergeAt(root, [...path, key], inner, owned);
  } else {
    setPath(root, path, value, owned);
  }
}

/** Reads one object attribute: JSON text, or a map (log attributes may hold maps). */
function objectAttribute(field: string, raw: unknown): { value: Record<string, unknown> | undefined } | { problem: FieldProblem } {
  if (raw === undefined) return { value: undefined };
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { problem: { code: 'MR_ERR_INVALID_RECORD', field, message: `${field} is not valid JSON` } };
    }
  }
  if (!isPlainObject(value)) {
    return { problem: { code: 'MR_ERR_INVALID_RECORD', field, message: `${field} must be a JSON object or a map` } };
  }
  return { value: value === raw ? { ...value } : value };
}

/**
 * Reads the attribute convention (`analytics.user_id`, `analytics.properties` as JSON text or as
 * flattened `analytics.properties.plan`, …) into Segment fields, applied over `base` (the fields
 * of a log record's body map): attributes win, objects merge key by key, so that a processor which
 * adds `analytics.context.app.version` to a record keeps the rest of its context. `base` and the
 * objects in it are never modified (they belong to the record). Returns a problem for nested
 * attributes that are not objects.
 */
export function readAttributes(attributes: Readonly<Record<string, unknown>>, base: Readonly<Record<string, unknown>> = {}): FoundFields | FieldProblem {
  const found: FoundFields = { fields: { ...base }, messageId: attributes[ATTRIBUTES.messageId], timestamp: attributes[ATTRIBUTES.timestamp] };
  for (const [field, key] of Object.entries(ATTRIBUTES)) {
    if (field !== 'messageId' && field !== 'timestamp' && attributes[key] !== undefined) found.fields[field] = attributes[key];
  }
  const owned = new WeakSet<object>();
  for (const [field, key] of Object.entries(OBJECT_ATTRIBUTES)) {
    const read = objectAttribute(field, attributes[key]);
    if ('problem' in read) return read.problem;
    if (read.value !== undefined) mergeAt(found.fields, [field], read.value, owned);
  }
  for (const key of Object.keys(attributes)) {
    if (!key.startsWith('analytics.')) continue;
    for (const [field, prefix] of Object.entries(OBJECT_ATTRIBUTES)) {
      if (key.length > prefix.length + 1 && key.startsWith(prefix) && key[prefix.length] === '.') {
        setPath(found.fields, [field, ...key.slice(prefix.length + 1).split('.')], attributes[key], owned);
      }
    }
  }
  return found;
}
