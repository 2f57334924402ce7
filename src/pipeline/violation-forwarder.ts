import type { PlanListener } from '../shaping/plan-stage.js';
import { fromPlain } from '../shaping/plain-message.js';
import { violationGeneratedMessages } from '../shaping/tracking-plan/index.js';
import { isProblem } from '../translate/build-record.js';
import type { Pipeline } from './pipeline.js';

/**
 * Sends each reported violation as a `Violation Generated` track message into `forwarding`, the
 * second pipeline the assembly builds under `violationWriteKey`, to the same endpoint with the same
 * delivery options (as Protocols forwards violations to a separate source): the violations never
 * take room in the events' queue, nor the events in theirs.
 */
export function forwardViolations(forwarding: Pipeline, violationWriteKey: string): PlanListener {
  const writeKeyJson = JSON.stringify(violationWriteKey);
  return (result, message) => {
    const timestamp = new Date().toISOString();
    for (const generated of violationGeneratedMessages(result.report, message)) {
      const messageId = crypto.randomUUID();
      const built = fromPlain({ ...generated, timestamp }, { type: 'track', messageId, timestamp, traceId: undefined, spanId: undefined }, writeKeyJson);
      if (isProblem(built)) forwarding.discard(built.code, `a Violation Generated message could not be built: ${built.message}`, [messageId], 1, built.cause);
      else forwarding.enqueue(built);
    }
  };
}
