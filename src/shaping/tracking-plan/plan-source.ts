/**
 * The shapes of a tracking plan as Segment Protocols exports them. Both are accepted as they are,
 * from a JSON file or as an object literal (`as const` keeps the literal types that typed calls
 * are derived from).
 */

/** A JSON Schema (draft-07) document or sub-schema. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** The call types a rule of the rules-list shape applies to; `COMMON` applies to every call. */
export type SegmentRuleType = 'TRACK' | 'IDENTIFY' | 'GROUP' | 'PAGE' | 'SCREEN' | 'COMMON';

/**
 * One rule of the rules-list shape (Segment's Public API). Its `jsonSchema` validates the whole
 * message: `properties.properties` describes a track's properties, `properties.traits` an
 * identify's traits, `properties.context` the context.
 */
export interface SegmentRule {
  /** The event name of a TRACK rule; the page or screen name of a PAGE/SCREEN rule (absent: every page). */
  readonly key?: string | null;
  readonly type: SegmentRuleType;
  /** A plan may hold several versions of one event; the highest is used unless a message names one. */
  readonly version?: number;
  readonly jsonSchema: JsonSchema;
}

/** The rules-list shape: `{ rules: [{ key, type, version, jsonSchema }] }`. */
export interface SegmentRulesPlan {
  /** The plan's id (`tp_…`), reported with each violation. */
  readonly id?: string;
  /** Config API name (`workspaces/…/tracking-plans/rs_…`); used as the id when `id` is absent. */
  readonly name?: string;
  readonly version?: number;
  readonly rules: readonly SegmentRule[];
}

/** One event of the older shape. */
export interface SegmentLegacyEvent {
  readonly name: string;
  readonly version?: number;
  readonly description?: string;
  readonly rules: JsonSchema;
}

/** The older Config API shape: `{ rules: { global, events: [{ name, version, rules }], identify, group } }`. */
export interface SegmentLegacyPlan {
  readonly id?: string;
  readonly name?: string;
  readonly display_name?: string;
  readonly version?: number;
  readonly rules: {
    readonly global?: JsonSchema;
    readonly events?: readonly SegmentLegacyEvent[];
    readonly identify?: JsonSchema;
    readonly group?: JsonSchema;
  };
}

/** A tracking plan in either Segment shape. */
export type TrackingPlanSource = SegmentRulesPlan | SegmentLegacyPlan;
