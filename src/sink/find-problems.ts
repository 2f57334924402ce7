import { LIMITS } from '../config/defaults.js';
import type { PlanEnforcer } from '../shaping/tracking-plan/plan-enforcer.js';
import type { EventType } from '../translate/analytics-record.js';
import { checkFields, checkMessageId } from '../translate/check-fields.js';
import { toIsoTimestamp } from '../translate/timestamp.js';

/**
 * Something wrong with a received message, as the debugger page marks it. `source` says which
 * rules found it: `spec` (the Segment Spec rules the library itself applies) and `duplicate` now;
 * a tracking plan's violations join as another source without changing the shape.
 */
export interface Problem {
  readonly source: 'spec' | 'duplicate' | 'plan';
  /** A stable code: the library's `MR_ERR_…` code for Spec rules. */
  readonly code: string;
  /** The field, as a path such as `properties` or `messageId`; empty for the whole message. */
  readonly path: string;
  readonly message: string;
}

/** One set of rules over a message (and its JSON text, already made); pure, never throws. */
export type ProblemCheck = (message: Readonly<Record<string, unknown>>, json: string) => readonly Problem[];

const TYPES: readonly string[] = ['identify', 'track', 'page', 'screen', 'group', 'alias'];

/** The Segment Spec rules, exactly as the library checks a call, plus the wire's size limit. */
export const specProblems: ProblemCheck = (message, json) => {
  const problems: Problem[] = [];
  if (typeof message.type !== 'string' || !TYPES.includes(message.type)) {
    problems.push({ source: 'spec', code: 'MR_ERR_INVALID_FIELD', path: 'type', message: `type must be one of ${TYPES.join(', ')}` });
  } else {
    const found = checkFields(message.type as EventType, message, message.context);
    if (found !== undefined) problems.push({ source: 'spec', code: found.code, path: found.field, message: found.message });
  }
  if (message.timestamp !== undefined && (typeof message.timestamp !== 'string' || toIsoTimestamp(message.timestamp) === undefined)) {
    problems.push({ source: 'spec', code: 'MR_ERR_INVALID_FIELD', path: 'timestamp', message: 'timestamp must be an ISO 8601 date string' });
  }
  const id = checkMessageId(message.messageId);
  if (id !== undefined) problems.push({ source: 'spec', code: id.code, path: id.field, message: id.message });
  const bytes = Buffer.byteLength(json);
  if (bytes > LIMITS.maxMessageBytes) {
    problems.push({ source: 'spec', code: 'MR_ERR_MESSAGE_TOO_LARGE', path: '', message: `message is ${bytes} bytes of JSON, over ${LIMITS.maxMessageBytes}` });
  }
  return problems;
};

/**
 * A tracking plan's violations, as the library's enforcer finds them (with the default
 * enforcement, so unplanned events and properties are reported too). The sink only marks them:
 * whatever the plan would do with the message, the sink keeps it.
 */
export function planProblems(enforcer: PlanEnforcer): ProblemCheck {
  return (message) =>
    enforcer.check(message).violations.map((violation) => ({
      source: 'plan',
      code: violation.type,
      path: violation.field,
      // The description already names the field and the plan rule; the page shows it as it is.
      message: violation.description,
    }));
}
