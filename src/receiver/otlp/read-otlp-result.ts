import { LIMITS } from '../../config/defaults.js';
import type { FieldProblem } from '../../translate/check-fields.js';
import type { Message } from '../../translate/message.js';

/** How many problems an answer spells out; the rest are only counted. */
const MAX_LISTED_PROBLEMS = 3;

/** What reading the analytics events of one OTLP export request gave. */
export interface OtlpReadResult {
  /** Messages for the delivery queue, in request order. */
  readonly messages: Message[];
  /** Log records (or spans) holding an analytics event that could not be read. */
  rejected: number;
  /** Why, for the first few: one line each. */
  readonly problems: string[];
}

/** An empty result to fill. */
export function emptyResult(): OtlpReadResult {
  return { messages: [], rejected: 0, problems: [] };
}

/** Notes one event that could not be read. */
export function noteProblem(result: OtlpReadResult, source: string, problem: FieldProblem): void {
  if (result.problems.length < MAX_LISTED_PROBLEMS) result.problems.push(`${source}: ${problem.message}`);
}

/**
 * The message, or the problem that keeps it out of the queue. The size limit is checked here so
 * that an oversized event is answered as rejected instead of being dropped after it was accepted.
 * When the request held text that was not UTF-8 (decoded as U+FFFD), a message holding U+FFFD is
 * rejected rather than sent altered.
 */
export function checkedMessage(read: Message | FieldProblem, invalidUtf8: boolean): Message | FieldProblem {
  if ('code' in read) return read;
  if (read.bytes > LIMITS.maxMessageBytes) {
    return { code: 'MR_ERR_MESSAGE_TOO_LARGE', field: 'message', message: `message is ${read.bytes} bytes, over the ${LIMITS.maxMessageBytes}-byte limit` };
  }
  if (invalidUtf8 && read.json.includes('\uFFFD')) {
    return { code: 'MR_ERR_INVALID_RECORD', field: 'message', message: 'holds text that is not valid UTF-8' };
  }
  return read;
}
