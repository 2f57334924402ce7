import { readThrown } from '../errors/metarouter-error.js';
import { isPlainObject } from '../translate/check-fields.js';
import type { SegmentMessage } from './segment-message.js';
import type { ShapingStage, StageVerdict } from './shape.js';

/**
 * A `beforeSend` hook: given a plain copy of the message, returns the message to send (the same
 * object edited, or another) or `null` to drop it. Must be synchronous.
 */
export type BeforeSend = (message: SegmentMessage) => SegmentMessage | Record<string, unknown> | null;

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object that is not a plain message (${Object.prototype.toString.call(value)})` : `a ${typeof value}`;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Why a hook's result is not a message object, if it is not. Reading it runs the hook's code (a
 * `then` getter, Proxy traps): whatever that throws is a result that cannot be read, never an
 * exception out of the call.
 */
function checkResult(result: unknown, label: string): StageVerdict | undefined {
  try {
    if (isThenable(result)) {
      // Whatever it settles to is not used; its rejection must not surface as unhandled.
      Promise.resolve(result).catch(() => {});
      return { kind: 'fail', code: 'MR_ERR_BEFORE_SEND_ASYNC', reason: `${label} returned a Promise; hooks must be synchronous and return the message or null` };
    }
    if (!isPlainObject(result)) {
      return { kind: 'fail', code: 'MR_ERR_BEFORE_SEND_INVALID', reason: `${label} returned ${describe(result)}, expected the message object or null` };
    }
  } catch (error) {
    const { text, cause } = readThrown(error);
    return { kind: 'fail', code: 'MR_ERR_BEFORE_SEND_INVALID', reason: `${label} returned a value that could not be read: ${text}`, cause };
  }
  return undefined;
}

/**
 * The `beforeSend` stage: the user's hooks in order, each given what the previous one returned.
 * A hook that throws, returns a Promise or returns something that is not a message object fails
 * the message (it is not sent: a redaction hook that crashed must not leak what it was to remove).
 */
export function beforeSendStage(hooks: readonly BeforeSend[]): ShapingStage {
  return {
    name: 'beforeSend',
    invalidResultCode: 'MR_ERR_BEFORE_SEND_INVALID',
    run(message: SegmentMessage): StageVerdict {
      let current: unknown = message;
      for (let index = 0; index < hooks.length; index++) {
        const label = hooks.length === 1 ? 'beforeSend' : `beforeSend[${index}]`;
        let result: unknown;
        try {
          result = hooks[index]!(current as SegmentMessage);
        } catch (error) {
          const { text, cause } = readThrown(error);
          return { kind: 'fail', code: 'MR_ERR_BEFORE_SEND_FAILED', reason: `${label} threw: ${text}`, cause };
        }
        if (result === null) return { kind: 'drop' };
        const problem = checkResult(result, label);
        if (problem !== undefined) return problem;
        current = result;
      }
      return { kind: 'send', message: current };
    },
  };
}
