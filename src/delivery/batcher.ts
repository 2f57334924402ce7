import type { Message } from '../translate/message.js';
import { unrefTimer } from '../runtime/timers.js';

/** When the batcher cuts; see `DeliveryOptions` for each meaning. */
export interface BatcherLimits {
  readonly flushAt: number;
  readonly flushInterval: number;
  /** Bytes the messages of one batch and the commas between them may take: the request body less its envelope. */
  readonly maxBatchBytes: number;
}

/**
 * Gathers messages into batches: a batch is cut when it holds `flushAt` messages, before a message
 * that would take it past `maxBatchBytes`, `flushInterval` after its first message, or when asked.
 * Sizes are the byte counts the messages carry, each added once; nothing is serialized here.
 *
 * What must stay true: a cut batch is never empty, and never over `maxBatchBytes` unless it is one
 * message (a single message is at most 32 KB, far below any body limit); the interval timer is
 * `unref()`'d, so a batch waiting for it never keeps the process alive.
 */
export class Batcher<T extends Message> {
  private queue: T[] = [];
  private queuedBytes = 0;
  private intervalTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: BatcherLimits,
    private readonly onBatch: (messages: T[]) => void,
  ) {}

  /** Messages waiting for the next cut. */
  get length(): number {
    return this.queue.length;
  }

  /** Adds one message, cutting the batch before it when it would not fit, and after it when full. */
  add(message: T): void {
    if (this.queue.length > 0 && this.queuedBytes + message.bytes + 1 > this.limits.maxBatchBytes) this.cut();
    this.queue.push(message);
    this.queuedBytes += message.bytes + 1;
    if (this.queue.length >= this.limits.flushAt) {
      this.cut();
    } else if (this.intervalTimer === undefined) {
      this.intervalTimer = unrefTimer(setTimeout(() => this.cut(), this.limits.flushInterval));
    }
  }

  /** Hands what is waiting over as one batch, if anything is, and stops the interval timer. */
  cut(): void {
    clearTimeout(this.intervalTimer);
    this.intervalTimer = undefined;
    if (this.queue.length === 0) return;
    const messages = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.onBatch(messages);
  }

  /** Takes out the waiting messages that match, in order, and returns them. */
  remove(matches: (message: T) => boolean): T[] {
    if (!this.queue.some(matches)) return [];
    const removed = this.queue.filter(matches);
    this.queue = this.queue.filter((message) => !matches(message));
    this.queuedBytes = this.queue.reduce((bytes, message) => bytes + message.bytes + 1, 0);
    return removed;
  }

  /** True when every waiting message matches. */
  every(matches: (message: T) => boolean): boolean {
    return this.queue.every(matches);
  }
}
