import type { RecordOrigin } from './record-origin.js';

/** The six Segment Spec call types. */
export const EVENT_TYPES = Object.freeze(['identify', 'track', 'page', 'screen', 'group', 'alias'] as const);

/** One of the six Segment Spec call types. */
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The neutral form every input (facade call, log record, span event, OTLP) is read into before it
 * becomes a Segment message. User data is already JSON text here: it is serialized once, where it
 * enters, and never again.
 */
export interface AnalyticsRecord {
  readonly type: EventType;
  /**
   * JSON object text of the type's Segment fields (`userId`, `anonymousId`, `event`, `name`,
   * `category`, `groupId`, `previousId`, `properties`, `traits`, `integrations`), without `type`,
   * `messageId`, `timestamp` and `context`.
   */
  readonly fields: string;
  /** JSON object text of the user's `context`, without the keys this package owns; `{}` when none. */
  readonly context: string;
  /** The messageId to keep, if the input carried one. */
  readonly messageId: string | undefined;
  /** ISO 8601 time of the event. */
  readonly timestamp: string;
  /** Hex ids of the span the event was recorded in, when there was a valid one. */
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** Who made the record and on which resource; this package with no resource when absent. */
  readonly origin?: RecordOrigin | undefined;
  /**
   * The plain copies `fields` and `context` were serialized from, when the entry point asked for
   * them (it has shaping stages): a stage is given these rather than a parse of the text.
   */
  readonly plain?: PlainParts | undefined;
}

/** Plain copies of a record's user data, exactly as `JSON.parse` would read its text. */
export interface PlainParts {
  readonly fields: Record<string, unknown>;
  readonly context: Record<string, unknown>;
}
