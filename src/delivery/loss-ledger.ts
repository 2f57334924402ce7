import type { ErrorCode } from '../errors/codes.js';
import { DeliveryError } from '../errors/metarouter-error.js';
import type { Message } from '../translate/message.js';
import type { DeliveryCounters } from './delivery-counters.js';
import type { DeliveryWaiters } from './delivery-waiters.js';
import type { DeadLetterSink } from './message-queue.js';
import type { DeliveryObserver } from './observer.js';

/** Queue-full drops are reported at least this often, in ids. */
const QUEUE_FULL_REPORT_CHUNK = 1000;

/**
 * The counters of one delivery engine and the one way out for what it will not deliver.
 *
 * What must stay true: every message in `dropped` or `refused` is reported once, with its id,
 * after it was observed and (for accepted messages given up) kept in the dead-letter file.
 */
export class LossLedger {
  readonly counters: DeliveryCounters = { accepted: 0, delivered: 0, dropped: 0, refused: 0, recovered: 0, pending: 0, retries: 0, requests: 0, filtered: 0, evicted: 0 };
  private droppedForFullQueue: string[] = [];

  constructor(
    private readonly report: (error: DeliveryError) => void,
    private readonly observer: DeliveryObserver,
    private readonly deadLetters: DeadLetterSink | undefined,
    /** What was full, in words, for the queue-full report. */
    private readonly fullReason: () => string,
    /** Told each outcome, for `whenDelivered`. */
    private readonly waiters: DeliveryWaiters,
    /** Where what a close deadline leaves stays, and who sends it, in words (undefined: in the spool). */
    private readonly keptWhere: () => string | undefined = () => undefined,
  ) {}

  /**
   * The one way out for messages that will not be delivered: observed, kept in the dead-letter file
   * when there is one (`given`: the accepted messages given up), then reported.
   */
  lose(error: DeliveryError, given: readonly Message[] = []): void {
    this.observer.dropped(error.messageIds, error.code);
    this.deadLetters?.keep(given, error);
    this.waiters.lost(error);
    this.report(error);
  }

  /** Accepted messages given up: no longer pending, counted dropped, and lost. */
  giveUp(error: DeliveryError, given: readonly Message[]): void {
    this.counters.dropped += given.length;
    this.counters.pending -= given.length;
    this.lose(error, given);
  }

  /** Counts what a 2xx answer for `messages` delivered; a 207's rejected messages are given up. */
  delivered(messages: readonly Message[], answer: { readonly status: number; readonly rejectedIds: readonly string[]; readonly detail: string }): void {
    // Only ids of this batch count: a server naming others must not skew the totals. Nearly
    // every answer names none, and then a set of the batch's ids would be built for nothing.
    const ids = new Set(answer.rejectedIds.length === 0 ? [] : messages.map((message) => message.messageId));
    const rejected = new Set(answer.rejectedIds.filter((id) => ids.has(id)));
    this.counters.delivered += messages.length - rejected.size;
    this.counters.pending -= messages.length;
    this.observer.delivered(messages.length - rejected.size);
    this.waiters.delivered(messages, rejected);
    if (answer.status === 207) {
      this.counters.dropped += rejected.size;
      const given = messages.filter((message) => rejected.has(message.messageId));
      this.lose(new DeliveryError('MR_ERR_PARTIAL_REJECTED', `server rejected ${rejected.size} of ${messages.length} messages (207): ${answer.detail}`, [...rejected], { status: 207 }), given);
    }
  }

  /**
   * Accounts for what a close deadline left undelivered: a message the queue keeps (on disk) stays
   * there, unacknowledged and so still pending, for the next start; any other dies with the process.
   */
  leftAtDeadline(messages: readonly Message[], keeps: (message: Message) => boolean, timeoutMillis: number): void {
    const kept: string[] = [];
    const lost: Message[] = [];
    for (const message of messages) {
      if (keeps(message)) kept.push(message.messageId);
      else lost.push(message);
    }
    if (kept.length > 0) {
      const error = new DeliveryError('MR_ERR_KEPT_IN_STORAGE', `${kept.length} messages not delivered within the ${timeoutMillis} ms close deadline ${this.keptWhere() ?? 'stay in storage; the next start with this directory sends them'}`, kept);
      this.waiters.lost(error);
      this.report(error);
    }
    if (lost.length > 0) {
      this.giveUp(new DeliveryError('MR_ERR_SHUTDOWN_TIMEOUT', `${lost.length} messages not delivered within the ${timeoutMillis} ms close deadline`, lost.map((message) => message.messageId)), lost);
    }
  }

  /** Refuses messages that never reach the queue (closed, too large, not a valid analytics record). */
  discard(code: ErrorCode, message: string, ids: string[], count = ids.length, cause?: unknown): void {
    this.counters.refused += count;
    this.lose(new DeliveryError(code, message, ids, { cause }));
  }

  /** Refuses a message the queue had no room for. */
  refuseForFullQueue(message: Message): false {
    this.counters.refused++;
    const pending = this.droppedForFullQueue.push(message.messageId);
    // Reported in chunks: a burst in one synchronous loop must not pile up every dropped id.
    if (pending === QUEUE_FULL_REPORT_CHUNK) this.reportQueueFull();
    else if (pending === 1) queueMicrotask(() => this.reportQueueFull());
    return false;
  }

  /** Counts a message a shaping stage dropped by the user's decision: observed, not reported. */
  filter(messageId: string, stage: string): void {
    this.counters.filtered++;
    this.waiters.filtered(messageId);
    this.observer.filtered?.(messageId, stage);
  }

  /** True while `messageId` is among the queue-full refusals not yet reported (they go at the end of this turn). */
  refusingForFullQueue(messageId: string): boolean {
    return this.droppedForFullQueue.includes(messageId);
  }

  private reportQueueFull(): void {
    const ids = this.droppedForFullQueue;
    if (ids.length === 0) return;
    this.droppedForFullQueue = [];
    this.lose(new DeliveryError('MR_ERR_QUEUE_FULL', `${this.fullReason()}; dropped ${ids.length}`, ids));
  }
}
