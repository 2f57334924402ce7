import type { TrackingPlanOptions } from '../config/options.js';
import { resolveViolationWriteKey, type DeliveryConfig } from '../config/resolve-options.js';
import type { ReportedError } from '../errors/error-channel.js';
import type { ShapingSetup } from '../shaping/create-shaper.js';
import { createPlanEnforcer } from '../shaping/tracking-plan/index.js';
import { createPlanMetrics } from '../telemetry/plan-metrics.js';
import { createPipeline } from './create-pipeline.js';
import type { Pipeline } from './pipeline.js';
import { forwardViolations } from './violation-forwarder.js';

/** An entry point's tracking plan, ready for `createShaper`, and its forwarding pipeline when `violationWriteKey` is set. */
export interface PlanWiring {
  readonly plan: ShapingSetup['plan'];
  readonly forwarder: Pipeline | undefined;
}

/**
 * Compiles the entry point's tracking plan (throws `ConfigurationError` for a bad plan, setting or
 * `violationWriteKey`) with its listeners: self-metrics, and forwarding. No plan: nothing is made.
 */
export function wirePlan(given: TrackingPlanOptions, delivery: DeliveryConfig, report: (error: ReportedError) => void): PlanWiring {
  const violationWriteKey = resolveViolationWriteKey(given.violationWriteKey);
  const enforcer = createPlanEnforcer(given);
  if (enforcer === undefined) return { plan: undefined, forwarder: undefined };
  const forwarder = violationWriteKey === undefined ? undefined : createPipeline({ sending: { ...delivery, writeKey: violationWriteKey }, report });
  const listeners = forwarder === undefined || violationWriteKey === undefined ? [createPlanMetrics()] : [createPlanMetrics(), forwardViolations(forwarder, violationWriteKey)];
  return { plan: { enforcer, listeners }, forwarder };
}
