import type { PlanViolationError } from '../errors/plan-violation-error.js';
import type { ShapingStage, StageVerdict } from './shape.js';
import type { SegmentMessage } from './segment-message.js';
import { PLAN_VIOLATION_CHANNEL } from './tracking-plan/plan-telemetry.js';
import { namedChannel, type NamedChannel } from '../runtime/named-channel.js';
import type { CheckResult, PlanEnforcer } from './tracking-plan/index.js';

/** The plan stage's name: the `reason` of its drops in counters and metrics. */
export const PLAN_STAGE = 'trackingPlan';

/**
 * Told of each message the plan reported (never of a valid one, so that the valid path costs
 * nothing more): self-metrics, and the forwarding of `Violation Generated` messages.
 */
export type PlanListener = (result: Exclude<CheckResult, { kind: 'send'; report: undefined }> & { readonly report: PlanViolationError }, message: SegmentMessage) => void;

/** Made with the first plan stage, not at import (Vercel Edge has no `diagnostics_channel`). */
let violations: NamedChannel | undefined;

/**
 * The tracking plan as a shaping stage, after `beforeSend`: it validates what would be sent.
 * A valid message is kept as it is (not serialized again); an omission sends the enforcer's copy;
 * a drop is counted as the stage's (not an error) and its report reaches the error channel;
 * `otherViolations: 'throw'` throws at a facade call and, where there is no caller, drops and reports.
 */
export function planStage(enforcer: PlanEnforcer, listeners: readonly PlanListener[]): ShapingStage {
  const channel = (violations ??= namedChannel(PLAN_VIOLATION_CHANNEL));
  return {
    name: PLAN_STAGE,
    invalidResultCode: 'MR_ERR_PLAN_VIOLATION',
    run(message: SegmentMessage): StageVerdict {
      const result = enforcer.check(message);
      const { report } = result;
      if (report === undefined) return { kind: 'keep' };
      if (channel.hasSubscribers) channel.publish(report);
      for (const listener of listeners) listener({ ...result, report }, message);
      const reports = [{ code: report.code, reason: report.message, error: report }];
      switch (result.kind) {
        case 'send':
          return result.message === message ? { kind: 'keep', reports } : { kind: 'send', message: result.message, reports };
        case 'drop':
          return { kind: 'drop', reports };
        case 'reject':
          return { kind: 'fail', code: result.error.code, reason: result.error.message, field: result.error.field, cause: report, throwAtCall: true, dropReport: report };
      }
    },
  };
}
