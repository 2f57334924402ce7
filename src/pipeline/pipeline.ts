import type { Delivery, DeliveryCounters } from '../delivery/delivery.js';
import type { ErrorCode } from '../errors/codes.js';
import type { Message } from '../translate/message.js';
import type { Shaping } from './shaping.js';

/**
 * One assembled pipeline, as every entry point sees it: shaping, then the queue, batcher and
 * sender of its delivery engine, and the pipeline that forwards its tracking plan's violations
 * when there is one. Made by `createPipeline`; the faces (`Analytics`, the exporters, the bridge,
 * replay) hold one each and wire nothing themselves.
 */
export class Pipeline {
  /** @internal Use `createPipeline`. */
  constructor(
    private readonly delivery: Delivery,
    /** Its shaping, which a facade runs at the call (then {@link enqueue}s what it returns). */
    readonly shaping: Shaping,
    private readonly stopObservers: () => void,
  ) {}

  /** Running totals of the delivery queue. */
  get counters(): Readonly<DeliveryCounters> {
    return this.delivery.counters;
  }

  /** Messages held: queued, in flight and waiting to retry. */
  get size(): number {
    return this.delivery.size;
  }

  /** Whether `count` more messages fit in the queue now. */
  hasRoomFor(count: number): boolean {
    return this.delivery.hasRoomFor(count);
  }

  /**
   * Shapes a message read from a record, then queues it; what is not queued (dropped by a stage,
   * failed, closed, queue full) is counted and, unless a stage dropped it, reported. True when queued.
   */
  offer(message: Message): boolean {
    const shaped = this.shaping.shape(message);
    return shaped !== undefined && this.delivery.enqueue(shaped);
  }

  /** Queues a message already shaped. False when it was not taken (closed, queue full: counted and reported). */
  enqueue(message: Message): boolean {
    return this.delivery.enqueue(message);
  }

  /** See `Delivery.whenDelivered`: undefined when the engine does not hold the id. */
  whenDelivered(messageId: string): Promise<void> | undefined {
    return this.delivery.whenDelivered(messageId);
  }

  /** Counts and reports messages given up before they reached the queue. */
  discard(code: ErrorCode, text: string, messageIds: string[], count = messageIds.length, cause?: unknown): void {
    this.delivery.discard(code, text, messageIds, count, cause);
  }

  /** Resolves once everything queued so far (and every violation forwarded) is delivered or reported. */
  async flush(): Promise<void> {
    await Promise.all([this.delivery.flush(), this.shaping.flush()]);
  }

  /** Flushes, then stops; past `timeoutMillis` what is left is reported undelivered. Idempotent. */
  async shutdown(timeoutMillis: number): Promise<void> {
    await Promise.all([this.delivery.shutdown(timeoutMillis), this.shaping.shutdown(timeoutMillis)]);
    this.stopObservers();
  }
}
