import type { AnalyticsRecord } from '../translate/analytics-record.js';
import type { Message } from '../translate/message.js';
import { LIBRARY } from '../version.js';

/**
 * Key under which the facade leaves its already-serialized message on the log records of the
 * built-in pipeline, which has no processors: there the prepared message is provably what the
 * record says, and it is shipped without reading anything again. Records in a user's pipeline
 * never carry it (its processors own them). Versioned, so that two copies of the package never
 * mistake each other's.
 */
export const PREPARED = Symbol.for(`metarouter-otel.prepared@${LIBRARY.version}`);

/** What the facade serialized at the call. */
export interface Prepared {
  readonly record: AnalyticsRecord;
  readonly message: Message;
  /** The writeKey (as JSON text) that `message` was built with. */
  readonly writeKeyJson: string;
}

/** The prepared message on a log record body, if the facade left one. */
export function preparedOf(body: unknown): Prepared | undefined {
  return typeof body === 'object' && body !== null ? ((body as Record<symbol, unknown>)[PREPARED] as Prepared | undefined) : undefined;
}
