import type { PlanViolationError } from '../../errors/plan-violation-error.js';
import type { SegmentMessage } from '../segment-message.js';
import type { CheckedMessage } from './plan-enforcer.js';

/** The event name Protocols forwards violations under. */
export const VIOLATION_GENERATED_EVENT = 'Violation Generated';

/** A `Violation Generated` track message before the entry point gives it its messageId and time. */
export type ViolationGeneratedMessage = Pick<SegmentMessage, 'event' | 'userId' | 'anonymousId' | 'properties'> & { type: 'track' };

/**
 * The `Violation Generated` track messages for one report, one per violation, in the shape
 * Segment Protocols forwards them to a separate source: the violating message's identity, and
 * `violationType`, `violationField`, `violationDescription`, `eventName`, `eventType`, `messageId`,
 * `trackingPlanId`, `trackingPlanVersion` as properties. A message without identity gets the
 * anonymousId `tracking-plan` (a track message needs one). Pure: the caller sends them.
 */
export function violationGeneratedMessages(report: PlanViolationError, violating: CheckedMessage): ViolationGeneratedMessage[] {
  const identity: Record<string, unknown> = {};
  for (const key of ['userId', 'anonymousId'] as const) {
    const id = violating[key];
    if (typeof id === 'string' || typeof id === 'number') identity[key] = String(id);
  }
  if (Object.keys(identity).length === 0) identity.anonymousId = 'tracking-plan';
  return report.violations.map((violation) => ({
    type: 'track',
    event: VIOLATION_GENERATED_EVENT,
    ...identity,
    properties: {
      violationType: violation.type,
      violationField: violation.field,
      violationDescription: violation.description,
      eventName: report.eventName ?? null,
      eventType: report.eventType,
      messageId: report.messageIds[0] ?? null,
      trackingPlanId: report.planId ?? null,
      trackingPlanVersion: report.planVersion ?? null,
      outcome: report.outcome,
    },
  }));
}
