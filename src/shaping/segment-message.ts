import type { EventType } from '../translate/analytics-record.js';

/**
 * A Segment message as a shaping stage (a `beforeSend` hook) sees it: a plain JSON copy, never the
 * caller's own objects, without the writeKey. A stage may edit it in place and return it, or return
 * another object of the same shape.
 *
 * Of what a stage returns, the Segment Spec fields (`userId`, `anonymousId`, `event`, `name`,
 * `category`, `groupId`, `previousId`, `properties`, `traits`, `context`, `integrations`) and
 * `timestamp` are sent. The library's own keys keep their values whatever a stage returns:
 * `type`, `messageId` (so the id a call returned, and every report, name the message that is
 * sent), `writeKey`, `context.library` and `context.otel`. Other top-level keys are not sent.
 */
export interface SegmentMessage {
  type: EventType;
  messageId: string;
  /** ISO 8601; a stage may also return a Date. */
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  category?: string;
  groupId?: string;
  previousId?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  integrations?: Record<string, unknown>;
  /** The user's context, with `library` (and `otel` inside a span) as this package set them. */
  context: MessageContext;
  [key: string]: unknown;
}

/**
 * A message's `context`. Its keys are the app's own (`consent`, `app`, `device`, …) and this package
 * cannot know their shape, so a hook may read nested keys with optional chaining
 * (`context.consent?.analytics`) without declaring them first; what it returns is checked again
 * before it is sent.
 */
export interface MessageContext {
  [key: string]: any;
}
