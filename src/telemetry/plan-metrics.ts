import { metrics } from '@opentelemetry/api';
import type { PlanListener } from '../shaping/plan-stage.js';
import { PLAN_METRICS, VIOLATION_TYPE_ATTRIBUTE } from '../shaping/tracking-plan/plan-telemetry.js';
import { LIBRARY } from '../version.js';

/**
 * The tracking plan's self-metrics through the global `@opentelemetry/api` meter provider (a
 * no-op unless the app registered one first, as for the delivery's own). Counted from each report,
 * which lists at most 20 violations per message: `PlanEnforcer.counters` holds exact totals.
 */
export function createPlanMetrics(): PlanListener {
  const meter = metrics.getMeter(LIBRARY.name, LIBRARY.version);
  const violations = meter.createCounter(PLAN_METRICS.violations.name, { description: PLAN_METRICS.violations.description, unit: PLAN_METRICS.violations.unit });
  const dropped = meter.createCounter(PLAN_METRICS.dropped.name, { description: PLAN_METRICS.dropped.description, unit: PLAN_METRICS.dropped.unit });
  const omitted = meter.createCounter(PLAN_METRICS.omitted.name, { description: PLAN_METRICS.omitted.description, unit: PLAN_METRICS.omitted.unit });
  return (result) => {
    let unplannedProperties = 0;
    for (const violation of result.violations) {
      violations.add(1, { [VIOLATION_TYPE_ATTRIBUTE]: violation.type });
      if (violation.type === 'Unplanned-Property') unplannedProperties += 1;
    }
    if (result.kind !== 'send') {
      const unplannedEvent = result.violations.some((violation) => violation.type === 'Unplanned-Event');
      dropped.add(1, { reason: unplannedEvent ? 'Unplanned-Event' : result.violations[0]!.type });
    } else if (result.report.outcome === 'sent-with-omissions') {
      omitted.add(unplannedProperties);
    }
  };
}
