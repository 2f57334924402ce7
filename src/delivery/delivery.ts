import { DEFAULTS, LIMITS } from '../config/defaults.js';
import type { ErrorCode } from '../errors/codes.js';
import { DeliveryError } from '../errors/metarouter-error.js';
import type { DeadLetters } from '../storage/dead-letters.js';
import type { Message } from '../translate/message.js';
import type { Transport, TransportResult } from '../transport/transport-result.js';
import { Batch } from './batch.js';
import { Batcher } from './batcher.js';
import type { DeliveryCounters, DeliverySettings } from './delivery-counters.js';
import { DeliveryWaiters } from './delivery-waiters.js';
import { drainOnExit, stopDrainOnExit } from './exit-hook.js';
import { LossLedger } from './loss-ledger.js';
import { MemoryQueue } from './memory-queue.js';
import type { Held, MessageQueue, QueueHost } from './message-queue.js';
import { allOf, type DeliveryObserver } from './observer.js';
import { RetryPolicy } from './retry-policy.js';
import { Sender } from './sender.js';
import { nextTurn, refTimer, unrefTimer } from '../runtime/timers.js';

export type { DeliveryCounters, DeliverySettings } from './delivery-counters.js';

/** Makes the queue of a delivery that is not the memory one: with `storage`, a `DiskQueue` over the spool (Node only, so passed in). */
export type QueueFactory = (host: QueueHost) => MessageQueue;

/**
 * The bounded queue and batching engine: it takes serialized messages, cuts them into batches by
 * count (`flushAt`) and real byte size, sends up to `maxConcurrentRequests` at once, retries with
 * backoff, and reports every message it gives up. Its timers do not keep the process alive, except
 * while a caller waits in `flush()` or `shutdown()`; `beforeExit` drains what is left.
 *
 * What must stay true:
 * - Memory holds at most `maxQueueSize` messages (queued, in flight, waiting to retry), whatever
 *   the server or the spool holds: the queue (`MessageQueue`) counts them.
 * - `accepted + recovered = delivered + dropped + pending` at every moment; every message in
 *   `dropped` or `refused` was reported once, with its id.
 *
 * With `storage`, the queue is a `DiskQueue` (the spool below memory), which states what it keeps
 * true. The engine adds, for such a queue:
 * - A batch wholly in the spool outlasts its retry budget: retried until delivered or rejected,
 *   bounded by the disk; `flush()` stops waiting for it at the budget, a close at its deadline.
 * - A process that ends on its own makes one attempt at `beforeExit` and does not wait for retries
 *   when every message is in the spool.
 */
export class Delivery {
  /** Running totals, kept by the loss ledger. */
  readonly counters: DeliveryCounters;
  private readonly ledger: LossLedger;
  /** @internal Who awaits which message (`whenDelivered`); empty, and unallocated, until someone does. */
  readonly waiters = new DeliveryWaiters();
  private readonly batcher: Batcher<Held>;
  private readonly active = new Set<Batch>();
  private readonly queue: MessageQueue;
  /** Callers waiting in flush(): while any wait, retry timers hold the process open. */
  private flushing = 0;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Set at a close deadline: what is left stays in storage, unacknowledged, for the next start. */
  private stopped = false;
  private readonly sender: Sender;
  private readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly settings: DeliverySettings,
    transport: Transport,
    report: (error: DeliveryError) => void,
    observer: DeliveryObserver = allOf([]),
    openQueue?: QueueFactory,
    deadLetters?: DeadLetters,
  ) {
    this.ledger = new LossLedger(report, observer, deadLetters, () => (this.queue.durable ? 'storage held storage.maxBytes' : `queue held ${settings.maxQueueSize} messages`), this.waiters);
    this.counters = this.ledger.counters;
    const sending = {
      writeKeyJson: JSON.stringify(settings.writeKey),
      maxConcurrentRequests: settings.maxConcurrentRequests,
      requestTimeoutMillis: settings.httpRequestTimeout ?? DEFAULTS.httpRequestTimeout,
    };
    this.sender = new Sender(sending, transport, observer, this.counters, (batch, result) => this.handle(batch, result));
    const maxBatchBytes = (settings.maxBatchBytes ?? LIMITS.maxBatchBytes) - this.sender.envelopeBytes;
    this.batcher = new Batcher({ flushAt: settings.flushAt, flushInterval: settings.flushInterval, maxBatchBytes }, (messages) => this.start(messages));
    this.retryPolicy = new RetryPolicy(settings);
    const host: QueueHost = {
      counters: this.counters,
      hold: (message) => this.batcher.add(message),
      lose: (error, given) => this.ledger.lose(error, given),
      evict: (matches) => this.evict(matches),
    };
    this.queue = openQueue === undefined ? new MemoryQueue(settings.maxQueueSize, host) : openQueue(host);
    // What an earlier process left has waited long enough: it goes on the next turn (after the
    // caller attached its error listener), not after a flushInterval.
    if (this.queue.backlog) nextTurn(() => this.sendWaiting());
    drainOnExit(this);
  }

  /** Messages held now: queued, in flight, or waiting to retry. */
  get size(): number {
    return this.queue.size;
  }

  /**
   * True when `count` more messages would be taken now (open, and room in `maxQueueSize`, or with
   * storage in `storage.maxBytes`). Lets a
   * caller that must take a group whole, such as the bridge with one OTLP request, refuse it instead.
   */
  hasRoomFor(count: number): boolean {
    if (this.closed) return false;
    if (this.settings.disable) return true;
    return this.queue.hasRoomFor(count);
  }

  /**
   * Takes one message. Returns false when it was not taken (closed, too large, queue full); the
   * reason is then reported. Never blocks and never throws.
   */
  enqueue(message: Message): boolean {
    if (this.closed) {
      this.discard('MR_ERR_CLOSED', 'sent after shutdown; not delivered', [message.messageId]);
      return false;
    }
    if (message.bytes > LIMITS.maxMessageBytes) {
      this.discard('MR_ERR_MESSAGE_TOO_LARGE', `message is ${message.bytes} bytes, over the ${LIMITS.maxMessageBytes}-byte limit`, [message.messageId]);
      return false;
    }
    // Disabled, a message is neither sent nor counted: the counters describe real deliveries.
    if (this.settings.disable) return this.queue.size >= this.settings.maxQueueSize ? this.ledger.refuseForFullQueue(message) : true;
    if (!this.queue.offer(message)) return this.ledger.refuseForFullQueue(message);
    this.counters.accepted++;
    this.counters.pending++;
    return true;
  }

  /**
   * Takes an evicted segment's messages out of memory for the disk queue, which drops them: those
   * waiting, and batches not in flight. A batch in flight is marked, and its answer decides
   * (delivered, or dropped as evicted instead of retried), so each message is counted once.
   */
  private evict(matches: (message: Held) => boolean): Message[] {
    const given: Message[] = this.batcher.remove(matches);
    this.queue.release(given.length);
    for (const batch of this.active) {
      if (!(batch.messages as readonly Held[]).some(matches)) continue;
      batch.evicted = true;
      if (batch.abort !== undefined) continue;
      clearTimeout(batch.retryTimer);
      this.sender.forget(batch);
      given.push(...batch.messages);
      this.finish(batch);
    }
    return given;
  }

  /**
   * Resolves once every message taken before the call is delivered, finally given up, or (with
   * storage) in a batch outlasting its retry budget on disk, unless `outlasting` (a close, which has
   * its own deadline) waits for those too. Never rejects.
   * Messages taken after the call are not waited for: under steady traffic a flush still ends.
   */
  async flush(outlasting = false): Promise<void> {
    this.sendWaiting();
    if (this.active.size === 0) return;
    const before = new Set(this.active);
    const takenBefore = this.queue.takenBeforeNow();
    const due = (batch: Batch): boolean =>
      (outlasting || !batch.outlasting) && (before.has(batch) || takenBefore(batch) || (batch.splitFrom !== undefined && due(batch.splitFrom)));
    this.flushing++;
    try {
      if (this.sender.requestScoped) return await this.sendAndWaitHere(due);
      for (;;) {
        const waiting = Array.from(this.active).filter(due);
        if (waiting.length === 0) break;
        for (const batch of waiting) if (batch.retryTimer !== undefined) refTimer(batch.retryTimer);
        await Promise.all(waiting.map((batch) => (outlasting ? batch.done : batch.released)));
        if (!this.queue.durable || this.stopped) break;
        this.sendWaiting();
      }
    } finally {
      this.flushing--;
      if (this.flushing === 0) for (const batch of this.active) if (batch.retryTimer !== undefined) unrefTimer(batch.retryTimer);
    }
  }

  /**
   * The flush of a request-scoped runtime (Cloudflare Workers): it sends the batches it waits for
   * from its own request and waits on promises made in it, so that it never depends on I/O or a
   * timer of another request, which that request's end cancels. A batch another flush is sending
   * is waited for, not sent again: that flush waits for it too, so its request lasts until the answer.
   */
  private async sendAndWaitHere(due: (batch: Batch) => boolean): Promise<void> {
    for (;;) {
      if (!Array.from(this.active).some(due)) return;
      const changed = this.sender.changed();
      this.sender.reclaimOrphans(Date.now());
      this.sender.sendReady(due);
      await changed;
    }
  }

  /**
   * Settles once the message is delivered (a 2xx that did not reject it) or given up (rejects with
   * the `DeliveryError` reported for it). Resolves at once for an id a shaping stage dropped lately;
   * `undefined` when this engine does not hold the id (never taken, already settled, or, with
   * storage, on disk beyond memory, which only a flush or close reads back), so that the caller can
   * say so instead of waiting forever.
   */
  whenDelivered(messageId: string): Promise<void> | undefined {
    if (this.waiters.wasFiltered(messageId)) return Promise.resolve();
    const held = (message: Message) => message.messageId === messageId;
    const inMemory = !this.batcher.every((message) => !held(message)) || Array.from(this.active).some((batch) => batch.messages.some(held));
    return inMemory || this.ledger.refusingForFullQueue(messageId) ? this.waiters.wait(messageId) : undefined;
  }

  /**
   * Stops taking messages, flushes, and closes connections. Past `timeoutMillis`, whatever is still
   * undelivered is abandoned and reported with `MR_ERR_SHUTDOWN_TIMEOUT`. Idempotent.
   */
  shutdown(timeoutMillis: number): Promise<void> {
    this.shutdownPromise ??= this.runShutdown(timeoutMillis);
    return this.shutdownPromise;
  }

  /** Called by the one `beforeExit` hook: sends what is left before the process ends on its own. */
  drainBeforeExit(): void {
    if (this.queue.durable && this.allStored()) {
      // Everything is on disk: one attempt to send, without holding the process through retries in an
      // outage; the next start with this directory sends the rest.
      this.sendWaiting();
      return;
    }
    if (this.batcher.length > 0 || this.active.size > 0 || this.queue.backlog) void this.flush();
  }

  /** Reads what waits below memory into it, as far as there is room, and sends what is held now as a batch. */
  private sendWaiting(): void {
    this.queue.refill();
    this.batcher.cut();
  }

  /** True when every message in memory is also in the spool (none whose write failed). */
  private allStored(): boolean {
    const stored = (message: Held) => this.queue.keeps(message);
    return this.batcher.every(stored) && Array.from(this.active).every((batch) => (batch.messages as readonly Held[]).every(stored));
  }

  private async runShutdown(timeoutMillis: number): Promise<void> {
    this.closed = true;
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.flush(true).then(() => false),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(true), timeoutMillis);
      }),
    ]);
    clearTimeout(deadline);
    if (timedOut) this.abandonAll(timeoutMillis);
    this.queue.close();
    stopDrainOnExit(this);
    await this.sender.close();
  }

  private abandonAll(timeoutMillis: number): void {
    const left: Held[] = [];
    this.stopped = true;
    this.queue.stop();
    for (const batch of this.active) {
      batch.abandoned = true;
      clearTimeout(batch.retryTimer);
      batch.abort?.abort();
      left.push(...(batch.messages as readonly Held[]));
      this.finish(batch);
    }
    this.sender.clear();
    this.ledger.leftAtDeadline(left, (message) => this.queue.keeps(message), timeoutMillis);
  }

  /** Turns the messages the batcher cut into a batch and starts sending it. */
  private start(messages: Held[]): void {
    const batch = new Batch(messages);
    this.active.add(batch);
    this.queue.cut(batch);
    this.sender.sendAfterThisTurn(batch);
  }

  private handle(batch: Batch, result: TransportResult): void {
    if (batch.evicted && result.kind !== 'success') {
      // No longer on disk: retrying would hold in memory what storage gave up.
      this.counters.evicted += batch.messages.length;
      return this.giveUp(batch, 'MR_ERR_EVICTED', 'evicted from full storage while its request was in flight, and that request failed; not retried', { status: 'status' in result ? result.status : undefined });
    }
    const decision = this.retryPolicy.decide(result, { attempts: batch.attempts, firstAttemptAt: batch.firstAttemptAt, messageCount: batch.messages.length }, Date.now());
    // A 413 has no cause to pass on; the other failures pass theirs, even when undefined.
    const failure = result.kind === 'too-large' ? { status: result.status } : { cause: 'cause' in result ? result.cause : undefined, status: 'status' in result ? result.status : undefined };
    switch (decision.action) {
      case 'settle':
        if (result.kind === 'success') this.ledger.delivered(batch.messages, result);
        this.sender.wakeBackoffs();
        return this.finish(batch);
      case 'retry':
        return this.sender.retryAfter(batch, decision.delayMillis, decision.serverAsked, this.flushing > 0);
      case 'exhausted':
        if (this.canOutlast(batch)) {
          batch.outlast();
          return this.sender.retryAfter(batch, decision.outlastDelayMillis(), decision.serverAsked, this.flushing > 0);
        }
        return this.giveUp(batch, 'MR_ERR_RETRIES_EXHAUSTED', decision.reason, failure);
      case 'split':
        return this.split(batch);
      case 'give-up':
        return this.giveUp(batch, decision.code, decision.reason, failure);
    }
  }

  /**
   * With storage, a batch wholly on disk outlasts its retry budget: it is retried (backoff capped at
   * `MAX_BACKOFF_MILLIS`) until delivered or rejected, bounded by the disk, as Vector retries a sink
   * without end by default; only `flush()` stops waiting for it. Messages whose write failed live in
   * memory only and keep the budget.
   */
  private canOutlast(batch: Batch): boolean {
    return this.queue.durable && !this.stopped && (batch.messages as readonly Held[]).every((message) => this.queue.keeps(message));
  }

  /** Replaces a batch the server found too large by its two halves; the batch settles when both do. */
  private split(batch: Batch): void {
    this.active.delete(batch);
    const middle = Math.ceil(batch.messages.length / 2);
    const halves = [new Batch(batch.messages.slice(0, middle), batch), new Batch(batch.messages.slice(middle), batch)];
    for (const half of halves) this.active.add(half);
    this.sender.sendFirst(halves);
    void Promise.all(halves.map((half) => half.done)).then(() => batch.settle());
  }

  private giveUp(batch: Batch, code: ErrorCode, message: string, options: { cause?: unknown; status: number | undefined }): void {
    this.ledger.giveUp(new DeliveryError(code, message, batch.messageIds, options), batch.messages);
    this.finish(batch);
  }

  private finish(batch: Batch): void {
    this.active.delete(batch);
    this.sender.settled(batch);
    this.queue.release(batch.messages.length);
    batch.settle();
    this.queue.refill();
  }

  /**
   * Refuses messages that never reach the queue (closed, too large, not a valid analytics record):
   * counted and reported like every other loss.
   */
  discard(code: ErrorCode, message: string, ids: string[], count = ids.length, cause?: unknown): void {
    this.ledger.discard(code, message, ids, count, cause);
  }

  /** Counts a message a shaping stage dropped by the user's decision: observed, not reported. */
  filter(messageId: string, stage: string): void {
    this.ledger.filter(messageId, stage);
  }
}
