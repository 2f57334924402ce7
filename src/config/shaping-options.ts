import type { TrackingPlanSource } from '../shaping/tracking-plan/plan-source.js';
import type { BeforeSend } from '../shaping/before-send.js';

/** Options of the shaping stage (`beforeSend`, then the tracking plan), taken by `Analytics`, both exporters and `startBridge()`. */
export interface ShapingOptions extends TrackingPlanOptions {
  /**
   * Redacts, enriches or drops messages before they are queued: a function, or a list run in
   * order, each given a plain copy of the Segment message (never your objects, never the writeKey)
   * and returning the message to send (edited in place or new) or `null` to drop it (counted in
   * `counters.filtered`, not an error). Synchronous. A hook that throws, returns a Promise or
   * returns something that is not a valid message keeps the message from being sent and is
   * reported with its messageId. `type`, `messageId`, `writeKey`, `context.library` and
   * `context.otel` keep this package's values whatever a hook returns. With `Analytics` it runs
   * at the call; with an exporter, on what the user's pipeline made of each record; with the
   * bridge, on every event it receives.
   * @default no hook
   */
  beforeSend?: BeforeSend | readonly BeforeSend[];
}

/** What an event that the tracking plan does not list does: sent, sent and reported, or dropped and reported. */
export type UnplannedEventAction = 'allow' | 'report' | 'drop';

/** What a property (or trait) that the tracking plan does not list does: sent, or removed from the message. Both are reported. */
export type UnplannedPropertyAction = 'keep' | 'omit';

/** What any other violation does: sent and reported, dropped and reported, or a `ValidationError` thrown at the call. */
export type PlanViolationAction = 'report' | 'drop' | 'throw';

/**
 * How a tracking plan is enforced, in the terms Segment Protocols and RudderStack use. Every
 * violation that is not allowed is reported on the `error` channel (`MR_ERR_PLAN_VIOLATION`).
 */
export interface PlanEnforcementOptions {
  /**
   * A track call whose event the plan does not list.
   * @default 'report'
   */
  unplannedEvents?: UnplannedEventAction;
  /**
   * A name in `properties` (track, page, screen) or `traits` (identify, group) that the matching
   * rule does not list.
   * @default 'keep'
   */
  unplannedProperties?: UnplannedPropertyAction;
  /**
   * A required field missing, a value of the wrong type, a name the schema forbids, a broken enum,
   * pattern, range or format. `'throw'` is for tests and development: where there is no caller to
   * throw to (exporters, the bridge), it drops and reports.
   * @default 'report'
   */
  otherViolations?: PlanViolationAction;
  /**
   * When properties are omitted, list their paths in the message's `context.protocols.omitted`,
   * as Protocols does.
   * @default true
   */
  recordOmittedProperties?: boolean;
}

/**
 * The tracking plan, taken by `Analytics` (checked at the call), both exporters and
 * `startBridge()`; it runs after `beforeSend`, on what would be sent (see docs/tracking-plans.md).
 */
export interface TrackingPlanOptions {
  /**
   * A Segment Protocols tracking plan (rules list `{ key, type, version, jsonSchema }`, or the older
   * `rules: { global, events, identify, group }`), or the path of its JSON export. Every rule is
   * compiled once, at construction; a plan that cannot be compiled throws `ConfigurationError`.
   * @default no plan: nothing is checked, at no cost
   */
  trackingPlan?: TrackingPlanSource | string;
  /**
   * How the plan is enforced. Each setting is checked whether or not a plan is given (a bad value
   * throws `ConfigurationError`); without a plan a valid setting has no effect.
   */
  planEnforcement?: PlanEnforcementOptions;
  /**
   * Also send each violation as a `Violation Generated` track message to this writeKey (the
   * Protocols forwarding behaviour), on the same host, through a second delivery queue with the
   * same delivery options. Same rules as `writeKey`.
   * @default violations are only reported on the error channel
   */
  violationWriteKey?: string;
}
