import type { Transport, TransportResult } from '../transport/transport-result.js';
import { type Batch, batchBody, envelopeBytes } from './batch.js';
import type { DeliveryCounters } from './delivery-counters.js';
import type { DeliveryObserver } from './observer.js';
import { nextTurn, unrefTimer } from '../runtime/timers.js';

/** Request-scoped runtimes: the longest a waiting flush goes without a timer of its own request firing. */
const WAKE_MILLIS = 1000;
/** Request-scoped runtimes: how long past its deadline (or a retry timer past its time) a request is taken for cancelled with the request that started it. */
const ORPHAN_GRACE_MILLIS = 1000;

/** How the sender writes requests. */
export interface SenderSettings {
  readonly writeKeyJson: string;
  readonly maxConcurrentRequests: number;
  /** The transport's deadline per request: past it and a margin, an unanswered request was cancelled (request-scoped runtimes). */
  readonly requestTimeoutMillis: number;
}

/**
 * Sends batches: up to `maxConcurrentRequests` requests at once, in the order batches became ready,
 * each body built when its request starts; and the timers of batches waiting to retry. It decides
 * nothing about an answer: `onAnswer` (the engine, through the retry policy) does.
 *
 * What must stay true:
 * - No call pays for a batch: a batch cut in the caller's turn of the loop is sent from a
 *   `setImmediate` after it (ref'd, so a drain before exit still sends).
 * - A batch waiting out our own backoff can be woken (`wakeBackoffs`); a wait the server asked
 *   for (Retry-After) cannot.
 * - Retry timers are `unref()`'d unless a caller waits in `flush()`: then they hold the process.
 * - Where I/O is request-scoped (`transport.requestScoped`: Cloudflare Workers cancel what a
 *   request started once it ends), nothing is sent in the background: a batch waits in line until
 *   a flush sends it (`sendReady`, in the flushing request, which waits for it), and an answer or a
 *   retry timer only wakes the flushes waiting (`changed`), each with a promise made in its own
 *   request. A request never counts on I/O another request started and may not see end; what a
 *   request that ended anyway left (a send past its deadline, a retry timer past its time) is put
 *   back in line by the next flush (`reclaimOrphans`).
 */
export class Sender {
  /** Bytes a request body takes beyond its messages. */
  readonly envelopeBytes: number;
  private readonly ready: Batch[] = [];
  /** Batches waiting out our own backoff (not a wait the server asked for): a success sends them at once. */
  private readonly backingOff = new Set<Batch>();
  private inFlight = 0;
  private pumpScheduled = false;
  /** Request-scoped runtimes: the flushes waiting for a change (an answer, a free slot, a batch back in line). */
  private readonly wakers = new Set<() => void>();
  readonly requestScoped: boolean;
  /** The request each batch in flight is waiting on, and when it started. */
  private readonly sending = new Map<Batch, { readonly since: number }>();
  /** When each retry timer is due (epoch ms). */
  private readonly retryDue = new Map<Batch, number>();

  constructor(
    private readonly settings: SenderSettings,
    private readonly transport: Transport,
    private readonly observer: DeliveryObserver,
    private readonly counters: DeliveryCounters,
    private readonly onAnswer: (batch: Batch, result: TransportResult) => void,
  ) {
    this.envelopeBytes = envelopeBytes(settings.writeKeyJson);
    this.requestScoped = transport.requestScoped === true;
  }

  /**
   * Sends `batch` once the current turn of the loop is over: the call that filled it (in an app's
   * request handler) returns without building the body and writing the request, work ten to
   * twenty times the call's own.
   */
  sendAfterThisTurn(batch: Batch): void {
    this.ready.push(batch);
    if (this.pumpScheduled || this.requestScoped) return;
    this.pumpScheduled = true;
    nextTurn(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Puts batches at the head of the line (the halves of a split), sent as requests end. */
  sendFirst(batches: readonly Batch[]): void {
    this.ready.unshift(...batches);
  }

  /** Waits `delayMillis` before sending `batch` again; the timer holds the process only if `holdProcess`. */
  retryAfter(batch: Batch, delayMillis: number, serverAsked: boolean, holdProcess: boolean): void {
    this.counters.retries++;
    batch.serverAskedWait = serverAsked;
    this.observer.retryScheduled(delayMillis);
    if (!serverAsked) this.backingOff.add(batch);
    this.retryDue.set(batch, Date.now() + delayMillis);
    batch.retryTimer = setTimeout(() => {
      batch.retryTimer = undefined;
      this.retryDue.delete(batch);
      this.backingOff.delete(batch);
      this.ready.push(batch);
      this.pump();
    }, delayMillis);
    if (!holdProcess) unrefTimer(batch.retryTimer);
  }

  /**
   * After a success the endpoint is back: batches waiting out our own backoff go now instead of
   * keeping the queue full for up to a backoff period. A wait the server asked for is kept.
   * Only those batches are visited: every success walking all active batches made a backlog of
   * small batches (`flushAt` 1 to 10) cost its square.
   */
  wakeBackoffs(): void {
    for (const batch of this.backingOff) {
      clearTimeout(batch.retryTimer);
      batch.retryTimer = undefined;
      this.retryDue.delete(batch);
      this.ready.push(batch);
    }
    this.backingOff.clear();
  }

  /** Takes a batch out of the line and out of its backoff, without sending it. */
  forget(batch: Batch): void {
    const ready = this.ready.indexOf(batch);
    if (ready !== -1) this.ready.splice(ready, 1);
    this.backingOff.delete(batch);
    this.retryDue.delete(batch);
  }

  /** A batch settled while it waited (abandoned at a close deadline, evicted from storage) must not be woken. */
  settled(batch: Batch): void {
    this.backingOff.delete(batch);
    this.retryDue.delete(batch);
    this.wake();
  }

  /**
   * Request-scoped runtimes: puts back in line the batches whose request or retry timer was
   * cancelled with the request that started it (one that ended without waiting for its flush, or
   * was cut short at the platform's limit): a request unanswered past its deadline and a margin,
   * which a live request's deadline would have answered, and a retry timer past its time and a
   * margin. The first request may have reached the server; the messageIds are the same, so sending
   * again risks a duplicate the server can drop, never a loss.
   */
  reclaimOrphans(now: number): void {
    for (const [batch, attempt] of this.sending) {
      if (now - attempt.since <= this.settings.requestTimeoutMillis + ORPHAN_GRACE_MILLIS) continue;
      this.sending.delete(batch);
      this.inFlight--;
      batch.abort = undefined;
      this.counters.retries++;
      this.ready.push(batch);
    }
    for (const [batch, dueAt] of this.retryDue) {
      if (now - dueAt <= ORPHAN_GRACE_MILLIS) continue;
      this.retryDue.delete(batch);
      this.backingOff.delete(batch);
      batch.retryTimer = undefined;
      this.ready.push(batch);
    }
  }

  /**
   * Request-scoped runtimes: sends, from the caller's request, the batches in line that `due` picks,
   * as far as `maxConcurrentRequests` allows. The caller (a flush) waits for each of them.
   */
  sendReady(due: (batch: Batch) => boolean): void {
    for (let i = 0; i < this.ready.length && this.inFlight < this.settings.maxConcurrentRequests; ) {
      if (due(this.ready[i]!)) void this.send(this.ready.splice(i, 1)[0]!);
      else i++;
    }
  }

  /**
   * Resolves at the next answer, settled batch or batch back in line, or after `WAKE_MILLIS`. The
   * promise and its timer are made in the caller's request: what resolves it in another request
   * wakes the caller in its own, and the timer is an event of the caller's own, without which
   * workerd takes a request that waits on another's I/O for hung and cancels it.
   */
  async changed(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake!: () => void;
    try {
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, WAKE_MILLIS);
        this.wakers.add(resolve);
      });
    } finally {
      clearTimeout(timer);
      this.wakers.delete(wake);
    }
  }

  /** Sends nothing more that is waiting in line (a close deadline passed). */
  clear(): void {
    this.ready.length = 0;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private wake(): void {
    if (this.wakers.size === 0) return;
    const wakers = Array.from(this.wakers);
    this.wakers.clear();
    for (const resolve of wakers) resolve();
  }

  private pump(): void {
    if (this.requestScoped) return this.wake();
    while (this.inFlight < this.settings.maxConcurrentRequests && this.ready.length > 0) {
      void this.send(this.ready.shift()!);
    }
  }

  private async send(batch: Batch): Promise<void> {
    this.inFlight++;
    if (batch.attempts++ === 0) batch.firstAttemptAt = Date.now();
    this.counters.requests++;
    batch.abort = new AbortController();
    const attempt = { since: Date.now() };
    this.sending.set(batch, attempt);
    const body = batchBody(batch.messages, new Date(), this.settings.writeKeyJson);
    const info = { messageCount: batch.messages.length, bytes: this.envelopeBytes + batch.messageBytes, attempt: batch.attempts };
    this.observer.requestStarted(info);
    const started = performance.now();
    const result = await this.transport.send(body, batch.abort.signal);
    // Taken back by reclaimOrphans and sent again: this late answer is not the batch's any more.
    if (this.sending.get(batch) !== attempt) return;
    this.sending.delete(batch);
    this.observer.requestFinished({ ...info, outcome: result.kind, status: 'status' in result ? result.status : undefined, durationMillis: performance.now() - started });
    batch.abort = undefined;
    this.inFlight--;
    if (!batch.abandoned) this.onAnswer(batch, result);
    this.pump();
  }
}
