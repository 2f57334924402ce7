import type { TrackingPlanOptions } from '../config/shaping-options.js';
import { resolveViolationWriteKey, type DeliveryConfig } from '../config/resolve-options.js';
import type { DeliveryError } from '../errors/metarouter-error.js';
import { createPlanMetrics } from '../otel/plan-metrics.js';
import type { ShapingSetup } from './create-shaper.js';
import { createPlanEnforcer } from './tracking-plan/index.js';
import { ViolationForwarder } from './violation-forwarder.js';

/** An entry point's tracking plan, ready for `createShaper`, and its forwarding queue when `violationWriteKey` is set. */
export interface PlanWiring {
  readonly plan: ShapingSetup['plan'];
  readonly forwarder: ViolationForwarder | undefined;
}

/**
 * Compiles the entry point's tracking plan (throws `ConfigurationError` for a bad plan, setting or
 * `violationWriteKey`) with its listeners: self-metrics, and forwarding. No plan: nothing is made.
 */
export function wirePlan(given: TrackingPlanOptions, delivery: DeliveryConfig, report: (error: DeliveryError) => void): PlanWiring {
  const violationWriteKey = resolveViolationWriteKey(given.violationWriteKey);
  const enforcer = createPlanEnforcer(given);
  if (enforcer === undefined) return { plan: undefined, forwarder: undefined };
  const forwarder = violationWriteKey === undefined ? undefined : new ViolationForwarder(delivery, violationWriteKey, report);
  const listeners = forwarder === undefined ? [createPlanMetrics()] : [createPlanMetrics(), forwarder.listener];
  return { plan: { enforcer, listeners }, forwarder };
}
