import type { FieldProblem } from '../../translate/check-fields.js';

/**
 * The most attributes one analytics log record or span event may carry. Reading is linear, and a
 * message over 32 KB is refused anyway; this bounds the work spent on one event before that is
 * known (with the body cap, it bounds what one request may cost).
 */
export const MAX_EVENT_ATTRIBUTES = 4096;

/** The most levels a flattened key (`analytics.properties.a.b…`) may nest: as deep as values may. */
export const MAX_KEY_LEVELS = 32;

/** Why an OTLP attribute list (before it is read) is over the limits, or undefined when it is not. */
export function attributeLimitProblem(list: unknown): FieldProblem | undefined {
  if (!Array.isArray(list)) return undefined;
  if (list.length > MAX_EVENT_ATTRIBUTES) {
    return { code: 'MR_ERR_INVALID_RECORD', field: 'attributes', message: `has ${list.length} attributes, over the limit of ${MAX_EVENT_ATTRIBUTES}` };
  }
  for (const item of list) {
    const key = typeof item === 'object' && item !== null ? (item as { key?: unknown }).key : undefined;
    if (typeof key !== 'string' || !key.startsWith('analytics.')) continue;
    // `analytics.<field>.` then one dot per level below the field.
    let levels = -1;
    for (let at = key.indexOf('.'); at !== -1; at = key.indexOf('.', at + 1)) levels++;
    if (levels > MAX_KEY_LEVELS) {
      return { code: 'MR_ERR_INVALID_RECORD', field: key.slice(0, 100), message: `attribute ${key.slice(0, 60)}… nests ${levels} levels deep, over the limit of ${MAX_KEY_LEVELS}` };
    }
  }
  return undefined;
}
