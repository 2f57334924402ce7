import { isPlainObject } from '../translate/check-fields.js';

/** A batch request's body, checked as a whole. */
export interface ReadBatch {
  readonly messages: readonly Record<string, unknown>[];
  readonly sentAt: unknown;
  readonly writeKey: unknown;
}

/**
 * Parses a `POST /v1/batch` body. Either every element of `batch` is an object and the batch is
 * returned, or the reason it is refused: recording part of a batch and then refusing it would make
 * the client's retry record that part twice.
 */
export function readBatch(text: string): ReadBatch | { readonly error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'body is not JSON' };
  }
  if (!isPlainObject(parsed) || !Array.isArray(parsed.batch)) return { error: 'body has no batch array' };
  const batch: unknown[] = parsed.batch;
  const bad = batch.findIndex((message) => !isPlainObject(message));
  if (bad !== -1) return { error: `batch[${bad}] is not an object; nothing of this batch was kept` };
  return { messages: batch as Record<string, unknown>[], sentAt: parsed.sentAt, writeKey: parsed.writeKey };
}
