/**
 * Names for the plan's self-observability, for the entry points to wire: OTel counters through the
 * global meter (as `src/telemetry/self-metrics.ts` does for delivery) and one `diagnostics_channel`.
 * Counter values come from `PlanEnforcer.counters` or from each `CheckResult`.
 */
export const PLAN_METRICS = Object.freeze({
  /** Reported violations, attribute `violation.type` (one of `VIOLATION_TYPES`). */
  violations: { name: 'metarouter.plan.violations', description: 'Tracking plan violations reported, by type', unit: '{violation}' },
  /** Messages the plan dropped, attribute `reason` (`Unplanned-Event` or the first violation's type). */
  dropped: { name: 'metarouter.plan.messages.dropped', description: 'Messages dropped by the tracking plan', unit: '{message}' },
  /** Properties and traits removed by `unplannedProperties: 'omit'`. */
  omitted: { name: 'metarouter.plan.properties.omitted', description: 'Unplanned properties and traits removed', unit: '{property}' },
});

/** The attribute that carries the violation type on {@link PLAN_METRICS}`.violations`. */
export const VIOLATION_TYPE_ATTRIBUTE = 'violation.type';

/** `diagnostics_channel` name on which each `PlanViolationError` is published, when someone subscribed. */
export const PLAN_VIOLATION_CHANNEL = 'metarouter-otel:plan-violation';
