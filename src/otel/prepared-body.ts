import type { AnalyticsRecord } from '../translate/analytics-record.js';
import type { Message } from '../translate/message.js';
import { LIBRARY } from '../version.js';

/**
 * Key under which the facade leaves its already-serialized message on a log record body, so that
 * our exporter ships it without reading the body map again. Versioned: another copy of the
 * package, of another version, falls back to reading the map, which always holds the same data.
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
