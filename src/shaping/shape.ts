/**
 * The shaping stage: what every entry point (the `Analytics` facade at the call, both exporters,
 * the bridge) does to a message between reading it and queueing it, through one function,
 * {@link Shaper.shape}. `beforeSend` hooks are the first kind of stage; a tracking plan joins
 * after them (it validates what is sent). A stage implements:
 *
 *   interface ShapingStage {
 *     name: string;                  // 'beforeSend', 'trackingPlan': counters, metrics, reports
 *     invalidResultCode: ErrorCode;  // reported when what the stage returns is not a valid message
 *     run(message: SegmentMessage): StageVerdict;  // synchronous, pure, never throws
 *   }
 *   type StageVerdict =
 *     | { kind: 'send'; message: unknown; reports?: StageReport[] }  // the given object (maybe
 *         // edited) or another; checked again (Spec rules, JSON, 32 KB) and serialized once;
 *         // `reports` (a plan's violations in a warning mode) reach the error channel, the message is sent
 *     | { kind: 'keep'; reports? }   // send the message as the stage was given it (a plan that
 *         // changed nothing): not checked nor serialized again
 *     | { kind: 'drop'; reports? }   // the user's decision: counted (filtered), never an error;
 *         // `reports` (why a plan dropped it) reach the error channel
 *     | { kind: 'fail'; code; reason; cause?; field?; throwAtCall?; dropReport? }  // not sent:
 *         // reported with the messageId; at a facade call with `throwAtCall`, thrown as a
 *         // ValidationError instead; with `dropReport`, away from a call: a drop reporting that error
 *
 * Each stage is given a fresh plain copy (JSON) of the message as the stage before it left it,
 * never the caller's objects and never the writeKey. The first stage is given the copy the
 * message's text was serialized from, when the entry point kept one (`buildRecord`'s `keepPlain`,
 * asked for when the entry point has a shaper); the others, a parse of the text before them. The
 * library's own keys (`type`, `messageId`, `writeKey`, `context.library`, `context.otel`) keep
 * their values whatever a stage returns. An entry point with no stage has no shaper: its
 * messages pass untouched, no copy, no allocation. A message given to a shaper while one of its
 * own stages runs, or while what a stage returned is read (a hook that sends through the entry
 * point it shapes, or a getter of its result that does), is refused and reported,
 * `MR_ERR_REENTRANT_CALL`: it would run the hook again, without end. The shaper returns what the
 * stages decided ({@link ShapeOutcome}); the entry point's pipeline counts, reports and queues.
 */
import type { ErrorCode } from '../errors/codes.js';
import type { ReportedError } from '../errors/error-channel.js';
import { DeliveryError, ValidationError } from '../errors/metarouter-error.js';
import { isProblem } from '../translate/build-record.js';
import type { Message } from '../translate/message.js';
import { fromPlain, plainOf, toPlain, type RebuiltMessage } from './plain-message.js';
import type { AnalyticsRecord } from '../translate/analytics-record.js';
import type { SegmentMessage } from './segment-message.js';

/** Something a stage reports about a message it lets through. */
export interface StageReport {
  readonly code: ErrorCode;
  readonly reason: string;
  /** The error to report as it is (a plan's `PlanViolationError`), instead of one made of code and reason. */
  readonly error?: ReportedError;
}

/** What a stage decided for one message; see the top of this file. */
export type StageVerdict =
  | { readonly kind: 'send'; readonly message: unknown; readonly reports?: readonly StageReport[] }
  | { readonly kind: 'keep'; readonly reports?: readonly StageReport[] }
  | { readonly kind: 'drop'; readonly reports?: readonly StageReport[] }
  | {
      readonly kind: 'fail';
      readonly code: ErrorCode;
      readonly reason: string;
      readonly cause?: unknown;
      /** The offending field, for a ValidationError thrown at the call. */
      readonly field?: string;
      readonly throwAtCall?: boolean;
      /** Where it is not thrown: count the message as dropped by the stage and report this instead. */
      readonly dropReport?: ReportedError;
    };

/** One stage of shaping; see the top of this file. */
export interface ShapingStage {
  readonly name: string;
  readonly invalidResultCode: ErrorCode;
  run(message: SegmentMessage): StageVerdict;
}

/** A message after shaping: the one given, or one rebuilt (then with its record) by a stage. */
export type ShapedMessage = Message | RebuiltMessage;

/**
 * What shaping decided for one message. Shaping never queues, counts or reports: the entry
 * point's pipeline does, from this. `reports` are the stages' remarks, in the order made.
 */
export type ShapeOutcome =
  | { readonly kind: 'send'; readonly message: ShapedMessage; readonly reports: readonly ReportedError[] }
  /** A stage dropped the message by the user's decision: counted, not an error. */
  | { readonly kind: 'filtered'; readonly messageId: string; readonly stage: string; readonly reports: readonly ReportedError[] }
  /** Not sent because a stage failed: counted and reported with `error`. */
  | { readonly kind: 'failed'; readonly error: DeliveryError; readonly reports: readonly ReportedError[] };

/** The shaping stages of one entry point, run in order over each message. */
export class Shaper {
  /** True while a stage runs or what it returned is read: a message given to {@link shape} then comes from inside a hook. */
  private running = false;

  constructor(
    private readonly stages: readonly ShapingStage[],
    private readonly writeKeyJson: string,
  ) {}

  /**
   * What the stages decided for `message`, in order; the first that drops or fails it ends shaping.
   * `atCall`: the facade's call is running, so a stage may refuse it with a thrown ValidationError.
   * `record`: the one `message` was made of, with the plain copy of its data when it kept one.
   */
  shape(message: Message, atCall = false, record?: AnalyticsRecord): ShapeOutcome {
    const reports: ReportedError[] = [];
    if (this.running) {
      // A hook that sends through the entry point it shapes would run itself again, without end.
      const error = new DeliveryError('MR_ERR_REENTRANT_CALL', 'a message was sent from inside a beforeSend hook of the same entry point; it was not sent (a hook must not send through the entry point it shapes)', [message.messageId]);
      return { kind: 'failed', error, reports };
    }
    let current: ShapedMessage = message;
    for (const stage of this.stages) {
      const { plain, identity } = current === message && record?.plain !== undefined ? plainOf(record, record.plain, message.messageId) : toPlain(current, this.writeKeyJson);
      const verdict = this.guarded((): StageVerdict => stage.run(plain));
      if (verdict.kind === 'drop') {
        collect(reports, verdict.reports, identity.messageId);
        return { kind: 'filtered', messageId: identity.messageId, stage: stage.name, reports };
      }
      if (verdict.kind === 'fail') {
        if (atCall && verdict.throwAtCall === true) throw new ValidationError(verdict.code, verdict.field ?? 'message', verdict.reason, { cause: verdict.cause });
        if (verdict.dropReport !== undefined) {
          reports.push(verdict.dropReport);
          return { kind: 'filtered', messageId: identity.messageId, stage: stage.name, reports };
        }
        const error = new DeliveryError(verdict.code, `${verdict.reason}; the ${identity.type} message was not sent`, [identity.messageId], { cause: verdict.cause });
        return { kind: 'failed', error, reports };
      }
      collect(reports, verdict.reports, identity.messageId);
      if (verdict.kind === 'keep') continue;
      // Reading what the stage returned runs the user's code too (its getters, a Proxy's traps).
      const rebuilt = this.guarded((): ReturnType<typeof fromPlain> => fromPlain(verdict.message, identity, this.writeKeyJson));
      if (isProblem(rebuilt)) {
        const reason = `${stage.name} returned a message that is not valid: ${rebuilt.message}; the ${identity.type} message was not sent`;
        return { kind: 'failed', error: new DeliveryError(stage.invalidResultCode, reason, [identity.messageId], { cause: rebuilt.cause }), reports };
      }
      current = rebuilt;
    }
    return { kind: 'send', message: current, reports };
  }

  /** Runs `part` of a stage's work, during which a message given to {@link shape} comes from the user's code inside it. */
  private guarded<T>(part: () => T): T {
    this.running = true;
    try {
      return part();
    } finally {
      this.running = false;
    }
  }
}

/** Adds a stage's remarks to `into`, each as the error to report. */
function collect(into: ReportedError[], reports: readonly StageReport[] | undefined, messageId: string): void {
  for (const report of reports ?? []) into.push(report.error ?? new DeliveryError(report.code, report.reason, [messageId]));
}
