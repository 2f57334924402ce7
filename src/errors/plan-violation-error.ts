import { brand, brandCheck, MetaRouterError } from './metarouter-error.js';
import type { Violation } from '../shaping/tracking-plan/violation.js';

const kPlanViolation = Symbol.for('metarouter-otel.PlanViolationError');

/** Where a reported message went after its violations were found. */
export type PlanOutcome = 'sent' | 'sent-with-omissions' | 'dropped';

/** The facts of one message's report. */
export interface PlanViolationFacts {
  readonly violations: readonly Violation[];
  readonly messageId: string | undefined;
  readonly eventType: string;
  /** The track event name, or the page/screen name. */
  readonly eventName: string | undefined;
  readonly planId: string | undefined;
  readonly planVersion: number | undefined;
  readonly outcome: PlanOutcome;
}

/**
 * Reported on the `error` channel (never thrown) when a message breaks the tracking plan: one
 * error per message, holding each of its violations.
 */
export class PlanViolationError extends MetaRouterError {
  readonly violations: readonly Violation[];
  /** The message concerned (one id, or none when the message had no messageId yet). */
  readonly messageIds: readonly string[];
  readonly eventType: string;
  readonly eventName: string | undefined;
  readonly planId: string | undefined;
  readonly planVersion: number | undefined;
  /** Whether the message was still sent, sent without its unplanned properties, or dropped. */
  readonly outcome: PlanOutcome;

  constructor(facts: PlanViolationFacts) {
    const subject = `${facts.eventType}${facts.eventName === undefined ? '' : ` ${JSON.stringify(facts.eventName)}`}`;
    const plan = `${facts.planId ?? 'the tracking plan'}${facts.planVersion === undefined ? '' : ` v${facts.planVersion}`}`;
    const id = facts.messageId === undefined ? '' : ` (messageId ${facts.messageId})`;
    super('MR_ERR_PLAN_VIOLATION', `${subject}${id} breaks ${plan}, ${facts.outcome.replace(/-/g, ' ')}: ${facts.violations.map((violation) => `[${violation.type}] ${violation.description}`).join('; ')}`);
    this.name = 'PlanViolationError';
    this.violations = facts.violations;
    this.messageIds = facts.messageId === undefined ? [] : [facts.messageId];
    this.eventType = facts.eventType;
    this.eventName = facts.eventName;
    this.planId = facts.planId;
    this.planVersion = facts.planVersion;
    this.outcome = facts.outcome;
  }

  static override [Symbol.hasInstance] = brandCheck(kPlanViolation);

  static {
    brand(this, kPlanViolation);
  }
}
