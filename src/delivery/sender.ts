import type { Transport, TransportResult } from '../transport/transport-result.js';
import { type Batch, batchBody, envelopeBytes } from './batch.js';
import type { DeliveryCounters } from './delivery-counters.js';
import type { DeliveryObserver } from './observer.js';
import { nextTurn, unrefTimer } from '../runtime/timers.js';

/** How the sender writes requests. */
export interface SenderSettings {
  readonly writeKeyJson: string;
  readonly maxConcurrentRequests: number;
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
 */
export class Sender {
  /** Bytes a request body takes beyond its messages. */
  readonly envelopeBytes: number;
  private readonly ready: Batch[] = [];
  /** Batches waiting out our own backoff (not a wait the server asked for): a success sends them at once. */
  private readonly backingOff = new Set<Batch>();
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(
    private readonly settings: SenderSettings,
    private readonly transport: Transport,
    private readonly observer: DeliveryObserver,
    private readonly counters: DeliveryCounters,
    private readonly onAnswer: (batch: Batch, result: TransportResult) => void,
  ) {
    this.envelopeBytes = envelopeBytes(settings.writeKeyJson);
  }

  /**
   * Sends `batch` once the current turn of the loop is over: the call that filled it (in an app's
   * request handler) returns without building the body and writing the request, work ten to
   * twenty times the call's own.
   */
  sendAfterThisTurn(batch: Batch): void {
    this.ready.push(batch);
    if (this.pumpScheduled) return;
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
    batch.retryTimer = setTimeout(() => {
      batch.retryTimer = undefined;
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
      this.ready.push(batch);
    }
    this.backingOff.clear();
  }

  /** Takes a batch out of the line and out of its backoff, without sending it. */
  forget(batch: Batch): void {
    const ready = this.ready.indexOf(batch);
    if (ready !== -1) this.ready.splice(ready, 1);
    this.backingOff.delete(batch);
  }

  /** A batch settled while it waited (abandoned at a close deadline, evicted from storage) must not be woken. */
  settled(batch: Batch): void {
    this.backingOff.delete(batch);
  }

  /** Sends nothing more that is waiting in line (a close deadline passed). */
  clear(): void {
    this.ready.length = 0;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private pump(): void {
    while (this.inFlight < this.settings.maxConcurrentRequests && this.ready.length > 0) {
      void this.send(this.ready.shift()!);
    }
  }

  private async send(batch: Batch): Promise<void> {
    this.inFlight++;
    if (batch.attempts++ === 0) batch.firstAttemptAt = Date.now();
    this.counters.requests++;
    batch.abort = new AbortController();
    const body = batchBody(batch.messages, new Date(), this.settings.writeKeyJson);
    const info = { messageCount: batch.messages.length, bytes: this.envelopeBytes + batch.messageBytes, attempt: batch.attempts };
    this.observer.requestStarted(info);
    const started = performance.now();
    const result = await this.transport.send(body, batch.abort.signal);
    this.observer.requestFinished({ ...info, outcome: result.kind, status: 'status' in result ? result.status : undefined, durationMillis: performance.now() - started });
    batch.abort = undefined;
    this.inFlight--;
    if (!batch.abandoned) this.onAnswer(batch, result);
    this.pump();
  }
}
