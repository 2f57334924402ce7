import type { NamedViewFields, PlanKeys, PlannedFields } from '../shaping/tracking-plan/plan-types.js';
import type { Analytics } from './analytics.js';
import type { AliasParams, CommonParams, Id, Identity } from './params.js';

/** Event names a plan lists (its TRACK rules' keys). */
export type PlannedEvent<P> = PlanKeys<P, 'TRACK'> & string;

/**
 * The six calls typed by a tracking plan `P` (the type of a plan value written `as const`, or of
 * the module `metarouter-otel plan types` generates). A track call with an event the plan does
 * not list, without a property the rule requires, with a value of the wrong type, or with a
 * property the rule does not list, does not compile; identify and group traits, page and screen
 * properties likewise. Every `Analytics` instance is one (`typedAnalytics(analytics, plan)`):
 * typing changes nothing at run time.
 */
export interface TypedAnalytics<P> {
  track<E extends PlannedEvent<P>>(params: Identity & CommonParams & { event: E } & PlannedFields<P, 'TRACK', 'properties', E>): string;
  identify(params: Identity & CommonParams & PlannedFields<P, 'IDENTIFY', 'traits'>): string;
  group(params: Identity & CommonParams & { groupId: Id } & PlannedFields<P, 'GROUP', 'traits'>): string;
  page<N extends string = string>(params: Identity & CommonParams & { name?: N; category?: string } & NamedViewFields<P, 'PAGE', N>): string;
  screen<N extends string = string>(params: Identity & CommonParams & { name?: N; category?: string } & NamedViewFields<P, 'SCREEN', N>): string;
  alias(params: AliasParams): string;
}

/**
 * The same `analytics`, seen through the calls its tracking plan types. `plan` only carries the
 * type (pass the plan value, or give `P` explicitly); nothing is checked or wrapped.
 */
export function typedAnalytics<P>(analytics: Analytics, plan?: P): TypedAnalytics<P>;
export function typedAnalytics(analytics: Analytics): TypedAnalytics<unknown> {
  return analytics;
}
