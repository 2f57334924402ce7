import { EVENT_TYPES, type EventType } from '../translate/analytics-record.js';

/** The OTel event name of each call type: fixed and low-cardinality. */
export const EVENT_NAMES: Readonly<Record<EventType, string>> = Object.freeze({
  identify: 'analytics.identify',
  track: 'analytics.track',
  page: 'analytics.page',
  screen: 'analytics.screen',
  group: 'analytics.group',
  alias: 'analytics.alias',
});

const TYPE_BY_NAME: ReadonlyMap<string, EventType> = new Map(EVENT_TYPES.map((type) => [EVENT_NAMES[type], type]));

/** The call type an OTel event name stands for, or undefined when it is not an analytics event. */
export function eventTypeOf(eventName: string | undefined): EventType | undefined {
  return eventName === undefined ? undefined : TYPE_BY_NAME.get(eventName);
}

/**
 * The log attribute older OpenTelemetry SDKs carry an event name in, before `LogRecord.eventName`
 * existed: read when a record has no event name of its own, by the exporters and the bridge alike.
 */
export const EVENT_NAME_ATTRIBUTE = 'event.name';

/** The call type of a log record: by its event name, else by its `event.name` attribute. */
export function logEventTypeOf(eventName: string | undefined, attributes: Readonly<Record<string, unknown>>): EventType | undefined {
  if (eventName !== undefined && eventName !== '') return eventTypeOf(eventName);
  const attribute = attributes[EVENT_NAME_ATTRIBUTE];
  return typeof attribute === 'string' ? eventTypeOf(attribute) : undefined;
}

/** Span-event and log attribute names for the Segment fields (the convention in the README). */
export const ATTRIBUTES = Object.freeze({
  userId: 'analytics.user_id',
  anonymousId: 'analytics.anonymous_id',
  event: 'analytics.event',
  name: 'analytics.name',
  category: 'analytics.category',
  groupId: 'analytics.group_id',
  previousId: 'analytics.previous_id',
  messageId: 'analytics.message_id',
  timestamp: 'analytics.timestamp',
});

/** Attributes holding an object: a JSON string, or flattened as `analytics.properties.plan`. */
export const OBJECT_ATTRIBUTES = Object.freeze({
  properties: 'analytics.properties',
  traits: 'analytics.traits',
  context: 'analytics.context',
  integrations: 'analytics.integrations',
});

/**
 * Marks a span event that the `Analytics` facade recorded only to show the call on the trace: the
 * message itself travels as a log record, so span exporters skip events that carry this.
 */
export const MARK_ATTRIBUTE = 'analytics.carrier';
export const MARK_VALUE = 'log_record';
