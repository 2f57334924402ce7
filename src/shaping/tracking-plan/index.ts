/**
 * Tracking plans: a Segment Protocols plan compiled once, and an enforcer that says what each
 * message becomes. Pure: no I/O but reading the plan file at construction; no delivery, transport
 * or OTel imports.
 *
 * The interface the entry points wire (Analytics, both exporters, startBridge, the sink):
 *
 *   // at construction (throws ConfigurationError for a bad plan or setting):
 *   const enforcer: PlanEnforcer | undefined = createPlanEnforcer(options); // undefined: no plan, no cost
 *
 *   // per message, after the Segment Spec checks, before serialization, with its messageId set:
 *   const result = enforcer.check(message);            // never throws
 *   switch (result.kind) {
 *     case 'send':   send(result.message);             // the input, or a copy without omitted names
 *                    if (result.report) channel.emit('error', result.report);
 *                    break;
 *     case 'drop':   channel.emit('error', result.report); break;
 *     case 'reject': throw result.error;               // at a call; where there is no caller
 *                                                      // (exporters, bridge): channel.emit('error', result.report)
 *   }
 *   // forwarding (options.violationWriteKey): for a report, send each of
 *   //   violationGeneratedMessages(report, message) through a delivery with that writeKey.
 *   // metrics: PLAN_METRICS names, counted from result.violations (by type) and result.kind;
 *   //   enforcer.counters holds the same totals.
 */
import { resolvePlanEnforcement } from '../../config/resolve-options.js';
import type { TrackingPlanOptions } from '../../config/shaping-options.js';
import { PlanEnforcer } from './plan-enforcer.js';

/**
 * Compiles `options.trackingPlan` (an object or a file path) and returns its enforcer, or
 * undefined when there is no plan. Throws `ConfigurationError` naming the rule and the problem, or
 * naming a bad `planEnforcement` setting, with or without a plan.
 */
export function createPlanEnforcer(options: Pick<TrackingPlanOptions, 'trackingPlan' | 'planEnforcement'>): PlanEnforcer | undefined {
  // Settings are checked even without a plan: a typo must not wait until a plan is added to surface.
  const settings = resolvePlanEnforcement(options.planEnforcement);
  if (options.trackingPlan === undefined) return undefined;
  const { trackingPlan } = options;
  // The plan reader and compiler load with the first plan: an app without one never pays for them.
  const { compilePlan } = require('./compile-plan.js') as typeof import('./compile-plan.js');
  const { normalizePlan, readingPlan } = require('./normalize-plan.js') as typeof import('./normalize-plan.js');
  return readingPlan(() => new PlanEnforcer(compilePlan(normalizePlan(trackingPlan)), settings));
}

export { PlanEnforcer, type CheckResult, type CheckedMessage, type PlanCounters } from './plan-enforcer.js';
export { VIOLATION_TYPES, type Violation, type ViolationType } from './violation.js';
export { violationGeneratedMessages, VIOLATION_GENERATED_EVENT } from './violation-generated.js';
export { PLAN_METRICS, PLAN_VIOLATION_CHANNEL, VIOLATION_TYPE_ATTRIBUTE } from './plan-telemetry.js';
export type { JsonSchema, SegmentLegacyEvent, SegmentLegacyPlan, SegmentRule, SegmentRuleType, SegmentRulesPlan, TrackingPlanSource } from './plan-source.js';
