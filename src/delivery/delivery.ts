import { LIMITS } from '../config/defaults.js';
import type { StorageWhenFull } from '../config/delivery-options.js';
import type { ErrorCode } from '../errors/codes.js';
import { DeliveryError } from '../errors/metarouter-error.js';
import type { DeadLetters } from '../storage/dead-letters.js';
import { comparePositions } from '../storage/ack-file.js';
import type { Eviction, Position, Spool } from '../storage/spool.js';
import type { Message } from '../translate/message.js';
import { retryDelayMillis } from '../transport/backoff.js';
import type { Transport, TransportResult } from '../transport/transport-result.js';
import { Batch, batchBody, envelopeBytes } from './batch.js';
import { drainOnExit, stopDrainOnExit } from './exit-hook.js';
import { allOf, type DeliveryObserver } from './observer.js';

/** A message in memory; with storage, where its record ends in the spool. */
type Held = Message & { readonly position?: Position };

/** True when the first stored message of `batch` ends at or before `end`. */
function startsBy(batch: Batch, end: Position): boolean {
  const first = (batch.messages as readonly Held[]).find((message) => message.position !== undefined);
  return first?.position !== undefined && comparePositions(first.position, end) <= 0;
}

/** Queue-full drops are reported at least this often, in ids. */
const QUEUE_FULL_REPORT_CHUNK = 1000;

/** What the delivery engine needs to know; see `DeliveryOptions` for each meaning. */
export interface DeliverySettings {
  readonly writeKey: string;
  readonly flushAt: number;
  readonly flushInterval: number;
  readonly maxQueueSize: number;
  readonly maxRetries: number;
  readonly maxRetryDuration: number;
  readonly maxConcurrentRequests: number;
  readonly disable: boolean;
  /** A request body stays at or below this. @default LIMITS.maxBatchBytes */
  readonly maxBatchBytes?: number;
  /** With storage: what a full directory drops. @default DEFAULTS.storageWhenFull */
  readonly storage?: { readonly whenFull: StorageWhenFull };
  /** Chooses the wait before a retry; replaceable so tests can capture delays instead of sleeping. */
  readonly retryDelay?: (attempt: number, retryAfterMillis: number | undefined) => number;
}

/**
 * Running totals, for tests, benchmarks, self-observability and alerts. At every moment
 * `accepted + recovered = delivered + dropped + pending`; once the queue is empty, pending is 0.
 * Every message in `dropped` or `refused` was reported on the error channel, once.
 */
export interface DeliveryCounters {
  /** Messages taken into the queue. */
  accepted: number;
  /** Accepted messages the server acknowledged (2xx, less those a 207 rejected). */
  delivered: number;
  /** Accepted messages given up later (rejected by the server, retries exhausted, close deadline). */
  dropped: number;
  /** Messages never accepted: queue full, sent after close, too large, not a valid analytics record. */
  refused: number;
  /** Messages an earlier process left in `storage.directory`, taken up by this one. */
  recovered: number;
  /** Accepted (or recovered) messages neither delivered nor dropped yet: queued, in flight, waiting to retry, or in storage. */
  pending: number;
  /** Retries scheduled. */
  retries: number;
  /** HTTP requests made. */
  requests: number;
  /** Messages a shaping stage (`beforeSend`) dropped by the user's decision: never accepted, never reported. */
  filtered: number;
  /** Of `dropped`: the oldest messages evicted from a full `storage.directory` (`storage.whenFull: 'drop_oldest'`). */
  evicted: number;
}

/**
 * The bounded queue and batching engine: it takes serialized messages, cuts them into batches by
 * count (`flushAt`) and real byte size, sends up to `maxConcurrentRequests` at once, retries with
 * backoff, and reports every message it gives up. Its timers do not keep the process alive, except
 * while a caller waits in `flush()` or `shutdown()`; `beforeExit` drains what is left.
 *
 * What must stay true:
 * - Memory holds at most `maxQueueSize` messages (queued, in flight, waiting to retry), whatever
 *   the server or the spool holds.
 * - `accepted + recovered = delivered + dropped + pending` at every moment; every message in
 *   `dropped` or `refused` was reported once, with its id.
 *
 * With `storage` (a `Spool` below this engine), also:
 * - Accepted means written: `enqueue` appends the record (one `write(2)`, no sync) before it returns
 *   true. A failed write is reported and the message is held in memory only.
 * - The spool is the queue; memory is a window on it. While memory is full, or records are in the
 *   spool that memory has not read (`backlog`, which includes what an earlier process left), new
 *   records go to the spool only, and are read back in order as batches settle.
 * - Batches cover consecutive records. A batch that settles (delivered, or given up and reported)
 *   is recorded in the spool as a settled range, even while an older batch waits to retry; the
 *   cursor moves over the settled ranges that reach it. A kill then resends only the batches not
 *   settled: those in flight or waiting to retry (plus, past `MAX_SETTLED_RANGES` gaps, later ones).
 *   A close deadline does not settle anything: what is left stays in the spool for the next start,
 *   except messages whose write failed (memory only), which are dropped and reported.
 * - A batch wholly in the spool outlasts its retry budget: retried until delivered or rejected,
 *   bounded by the disk; `flush()` stops waiting for it at the budget, a close at its deadline.
 * - A full spool refuses the newest message (`MR_ERR_QUEUE_FULL`), or with `whenFull: 'drop_oldest'`
 *   evicts its oldest segment: every unsettled message in it is dropped once, `MR_ERR_EVICTED`, except
 *   those in a request in flight, which its answer settles.
 * - A process that ends on its own makes one attempt at `beforeExit` and does not wait for retries
 *   when every message is in the spool.
 * - On-disk format (see `src/storage/`): segment files `segment-<10 digits>.log` of records
 *   `[u32 payload length][u32 CRC-32 of payload][payload: u16 id length, messageId, message JSON]`
 *   (little-endian); an `ack` file of two slots written in turn, each the cursor, the settled ranges
 *   past it and a CRC-32 (a torn write leaves the other slot whole); a `lock` file with
 *   the owner's pid and host. Recovery never blocks start-up: the reader skips a corrupt record to
 *   the next intact one, cuts a torn tail off, and reports both.
 */
export class Delivery {
  readonly counters: DeliveryCounters = { accepted: 0, delivered: 0, dropped: 0, refused: 0, recovered: 0, pending: 0, retries: 0, requests: 0, filtered: 0, evicted: 0 };
  private queue: Held[] = [];
  private queuedBytes = 0;
  private readonly ready: Batch[] = [];
  private readonly active = new Set<Batch>();
  /** Batches waiting out our own backoff (not a wait the server asked for): a success sends them at once. */
  private readonly backingOff = new Set<Batch>();
  /** Messages held: queued plus in unsettled batches. Bounded by maxQueueSize. */
  private held = 0;
  private inFlight = 0;
  private intervalTimer: NodeJS.Timeout | undefined;
  /** Callers waiting in flush(): while any wait, retry timers hold the process open. */
  private flushing = 0;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined;
  private droppedForFullQueue: string[] = [];
  /** With storage: records in the spool that are not in memory yet (recovered, or beyond maxQueueSize). */
  private backlog = false;
  /** With storage: where the last stored record cut into a batch ends; the next batch covers the records after it. */
  private cutThrough: Position | undefined;
  /** Set at a close deadline: what is left stays in storage, unacknowledged, for the next start. */
  private stopped = false;
  private pumpScheduled = false;
  private readonly writeKeyJson: string;
  private readonly maxBatchBytes: number;
  private readonly envelopeBytes: number;
  private readonly retryDelay: (attempt: number, retryAfterMillis: number | undefined) => number;

  constructor(
    private readonly settings: DeliverySettings,
    private readonly transport: Transport,
    private readonly report: (error: DeliveryError) => void,
    private readonly observer: DeliveryObserver = allOf([]),
    private readonly spool?: Spool,
    private readonly deadLetters?: DeadLetters,
  ) {
    this.writeKeyJson = JSON.stringify(settings.writeKey);
    this.envelopeBytes = envelopeBytes(this.writeKeyJson);
    this.maxBatchBytes = (settings.maxBatchBytes ?? LIMITS.maxBatchBytes) - this.envelopeBytes;
    this.retryDelay = settings.retryDelay ?? retryDelayMillis;
    drainOnExit(this);
    this.cutThrough = spool?.cursor;
    if (spool !== undefined && !spool.caughtUp) {
      this.backlog = true;
      // On the next turn: the caller attaches its error listener first.
      setImmediate(() => this.refill());
    }
  }

  /** Messages held now: queued, in flight, or waiting to retry. */
  get size(): number {
    return this.held;
  }

  /**
   * True when `count` more messages would be taken now (open, and room in `maxQueueSize`, or with
   * storage in `storage.maxBytes`). Lets a
   * caller that must take a group whole, such as the bridge with one OTLP request, refuse it instead.
   */
  hasRoomFor(count: number): boolean {
    if (this.closed) return false;
    if (this.settings.disable) return true;
    // With storage, messages past memory wait on disk: what must fit is the disk limit, counted at the largest size.
    if (this.spool !== undefined && !this.spool.failing) return this.settings.storage?.whenFull === 'drop_oldest' || this.spool.freeBytes >= count * LIMITS.maxStoredRecordBytes;
    return this.held + count <= this.settings.maxQueueSize;
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
    if (this.spool !== undefined && !this.settings.disable) {
      let inMemory = !this.backlog && this.held < this.settings.maxQueueSize;
      let position = this.spool.append(message.messageId, message.json, inMemory);
      while (position === 'full' && this.settings.storage?.whenFull === 'drop_oldest' && this.evictOldest()) {
        inMemory = !this.backlog && this.held < this.settings.maxQueueSize;
        position = this.spool.append(message.messageId, message.json, inMemory);
      }
      if (position === 'full') return this.refuseForFullQueue(message);
      if (position !== 'failed') {
        this.counters.accepted++;
        this.counters.pending++;
        if (inMemory) this.hold({ messageId: message.messageId, json: message.json, bytes: message.bytes, position });
        else this.backlog = true;
        return true;
      }
      // The write failed (reported): the message is held in memory only, as without storage.
    }
    if (this.held >= this.settings.maxQueueSize) return this.refuseForFullQueue(message);
    // Disabled, a message is neither sent nor counted: the counters describe real deliveries.
    if (this.settings.disable) return true;
    this.counters.accepted++;
    this.counters.pending++;
    this.hold(message);
    return true;
  }

  private refuseForFullQueue(message: Message): false {
    this.counters.refused++;
    const pending = this.droppedForFullQueue.push(message.messageId);
    // Reported in chunks: a burst in one synchronous loop must not pile up every dropped id.
    if (pending === QUEUE_FULL_REPORT_CHUNK) this.reportQueueFull();
    else if (pending === 1) queueMicrotask(() => this.reportQueueFull());
    return false;
  }

  /**
   * Makes room in a full spool by evicting its oldest segment. Its messages in memory are dropped
   * now, except those in a request in flight: that answer decides (delivered, or dropped as evicted
   * instead of retried, as they are no longer on disk), so each message is counted once. Its
   * messages not read yet are dropped once read back from the unlinked file, after this call.
   */
  private evictOldest(): boolean {
    const eviction = this.spool!.evictOldest();
    if (eviction === undefined) return false;
    const inSegment = (message: Held) => message.position?.segment === eviction.segment;
    const given: Message[] = [];
    if (this.queue.some(inSegment)) {
      const kept = this.queue.filter((message) => !inSegment(message));
      given.push(...this.queue.filter(inSegment));
      this.queue = kept;
      this.queuedBytes = kept.reduce((bytes, message) => bytes + message.bytes + 1, 0);
      this.held -= given.length;
    }
    for (const batch of this.active) {
      if (!(batch.messages as readonly Held[]).some(inSegment)) continue;
      batch.evicted = true;
      if (batch.abort !== undefined) continue;
      clearTimeout(batch.retryTimer);
      const ready = this.ready.indexOf(batch);
      if (ready !== -1) this.ready.splice(ready, 1);
      given.push(...batch.messages);
      this.finish(batch);
    }
    this.dropEvicted(given, eviction.segment);
    setImmediate(() => this.dropEvictedUnread(eviction));
    return true;
  }

  /** Drops messages of an evicted segment that were not in memory; those an earlier process wrote are counted recovered first. */
  private dropEvictedUnread(eviction: Eviction): void {
    const records = this.spool!.readEvicted(eviction);
    if (eviction.previous) {
      this.counters.recovered += records.length;
      this.counters.pending += records.length;
    }
    this.dropEvicted(records, eviction.segment);
  }

  private dropEvicted(given: readonly Message[], segment: number): void {
    if (given.length === 0) return;
    this.counters.dropped += given.length;
    this.counters.evicted += given.length;
    this.counters.pending -= given.length;
    this.lose(new DeliveryError('MR_ERR_EVICTED', `storage held storage.maxBytes: evicted ${given.length} of the oldest undelivered messages (segment ${segment}) to make room`, given.map((message) => message.messageId)), given);
  }

  /** Puts an accepted message in the memory queue, cutting a batch when it is full. */
  private hold(message: Held): void {
    if (this.queue.length > 0 && this.queuedBytes + message.bytes + 1 > this.maxBatchBytes) this.cut();
    this.queue.push(message);
    this.queuedBytes += message.bytes + 1;
    this.held++;
    if (this.queue.length >= this.settings.flushAt) {
      this.cut();
    } else if (this.intervalTimer === undefined) {
      this.intervalTimer = setTimeout(() => this.cut(), this.settings.flushInterval).unref();
    }
  }

  /** With storage: takes records from the spool into memory, as far as maxQueueSize allows. */
  private refill(): void {
    if (!this.backlog || this.stopped || this.spool === undefined) return;
    const room = this.settings.maxQueueSize - this.held;
    if (room <= 0) return;
    let recovered = false;
    for (const record of this.spool.read(room)) {
      if (record.recovered) {
        this.counters.recovered++;
        this.counters.pending++;
        recovered = true;
      }
      this.hold(record);
    }
    this.backlog = !this.spool.caughtUp;
    // What an earlier process left has waited long enough: it goes now, not after another flushInterval.
    if (recovered) this.cut();
  }

  /** With storage: once `batch` settles, the spool records its records as settled, whatever the batches before it do. */
  private settleInSpool(batch: Batch): void {
    const messages = batch.messages as readonly Held[];
    // A message whose write failed has no position; the batch ends where its last stored one does.
    let to: Position | undefined;
    for (let i = messages.length - 1; i >= 0 && to === undefined; i--) to = messages[i]!.position;
    if (to === undefined) return;
    const from = this.cutThrough!;
    this.cutThrough = to;
    void batch.done.then(() => {
      if (!this.stopped) this.spool!.settle(from, to);
    });
  }

  /**
   * Resolves once every message taken before the call is delivered, finally given up, or (with
   * storage) in a batch outlasting its retry budget on disk, unless `outlasting` (a close, which has
   * its own deadline) waits for those too. Never rejects.
   * Messages taken after the call are not waited for: under steady traffic a flush still ends.
   */
  async flush(outlasting = false): Promise<void> {
    this.refill();
    this.cut();
    if (this.active.size === 0) return;
    const before = new Set(this.active);
    // With storage, what was taken before the call ends at the spool's write end; the backlog up to it streams in as batches settle.
    const end = this.spool?.end;
    const due = (batch: Batch) => (outlasting || !batch.outlasting) && (before.has(batch) || (end !== undefined && startsBy(batch, end)));
    this.flushing++;
    try {
      for (;;) {
        const waiting = Array.from(this.active).filter(due);
        if (waiting.length === 0) break;
        for (const batch of waiting) batch.retryTimer?.ref();
        await Promise.all(waiting.map((batch) => (outlasting ? batch.done : batch.released)));
        if (this.spool === undefined || this.stopped) break;
        this.refill();
        this.cut();
      }
    } finally {
      this.flushing--;
      if (this.flushing === 0) for (const batch of this.active) batch.retryTimer?.unref();
    }
  }

  /**
   * Stops taking messages, flushes, and closes connections. Past `timeoutMillis`, whatever is still
   * undelivered is abandoned and reported with `MR_ERR_SHUTDOWN_TIMEOUT`. Idempotent.
   */
  shutdown(timeoutMillis: number): Promise<void> {
    this.shutdownPromise ??= this.runShutdown(timeoutMillis);
    return this.shutdownPromise;
  }

  drainBeforeExit(): void {
    if (this.spool !== undefined && this.allStored()) {
      // Everything is on disk: one attempt to send, without holding the process through retries in an
      // outage; the next start with this directory sends the rest.
      this.refill();
      this.cut();
      return;
    }
    if (this.queue.length > 0 || this.active.size > 0 || this.backlog) void this.flush();
  }

  /** True when every message in memory is also in the spool (none whose write failed). */
  private allStored(): boolean {
    const stored = (message: Held) => message.position !== undefined;
    return this.queue.every(stored) && Array.from(this.active).every((batch) => (batch.messages as readonly Held[]).every(stored));
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
    this.spool?.close();
    stopDrainOnExit(this);
    await this.transport.close();
  }

  private abandonAll(timeoutMillis: number): void {
    const kept: string[] = [];
    const lostIds: string[] = [];
    const given: Message[] = [];
    this.stopped = true;
    for (const batch of this.active) {
      batch.abandoned = true;
      clearTimeout(batch.retryTimer);
      batch.abort?.abort();
      // Only a message with a position is on disk; one whose write failed lives in memory only and dies with it.
      for (const message of batch.messages as readonly Held[]) {
        if (message.position === undefined) {
          lostIds.push(message.messageId);
          given.push(message);
        } else {
          kept.push(message.messageId);
        }
      }
      this.finish(batch);
    }
    this.ready.length = 0;
    if (kept.length > 0) {
      // Not lost: unacknowledged, they stay in the spool, and so in `pending`.
      this.report(new DeliveryError('MR_ERR_KEPT_IN_STORAGE', `${kept.length} messages not delivered within the ${timeoutMillis} ms close deadline stay in storage; the next start with this directory sends them`, kept));
    }
    if (lostIds.length > 0) {
      this.counters.dropped += lostIds.length;
      this.counters.pending -= lostIds.length;
      this.lose(new DeliveryError('MR_ERR_SHUTDOWN_TIMEOUT', `${lostIds.length} messages not delivered within the ${timeoutMillis} ms close deadline`, lostIds), given);
    }
  }

  /** Turns the queue into a batch and starts sending it. */
  private cut(): void {
    clearTimeout(this.intervalTimer);
    this.intervalTimer = undefined;
    if (this.queue.length === 0) return;
    const batch = new Batch(this.queue);
    this.queue = [];
    this.queuedBytes = 0;
    this.active.add(batch);
    if (this.spool !== undefined) this.settleInSpool(batch);
    this.ready.push(batch);
    this.pumpAfterThisTurn();
  }

  /**
   * Starts sending once the current turn of the loop is over: the call that filled a batch (in an
   * app's request handler) returns without building the body and writing the request, work ten to
   * twenty times the call's own. Ref'd, so a drain before exit still sends.
   */
  private pumpAfterThisTurn(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
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
    const body = batchBody(batch.messages, new Date(), this.writeKeyJson);
    const info = { messageCount: batch.messages.length, bytes: this.envelopeBytes + batch.messageBytes, attempt: batch.attempts };
    this.observer.requestStarted(info);
    const started = performance.now();
    const result = await this.transport.send(body, batch.abort.signal);
    this.observer.requestFinished({ ...info, outcome: result.kind, status: 'status' in result ? result.status : undefined, durationMillis: performance.now() - started });
    batch.abort = undefined;
    this.inFlight--;
    if (!batch.abandoned) this.handle(batch, result);
    this.pump();
  }

  private handle(batch: Batch, result: TransportResult): void {
    if (batch.evicted && result.kind !== 'success') {
      // No longer on disk: retrying would hold in memory what storage gave up.
      this.counters.evicted += batch.messages.length;
      return this.giveUp(batch, 'MR_ERR_EVICTED', 'evicted from full storage while its request was in flight, and that request failed; not retried', { status: 'status' in result ? result.status : undefined });
    }
    switch (result.kind) {
      case 'success': {
        // Only ids of this batch count: a server naming others must not skew the totals. Nearly
        // every answer names none, and then a set of the batch's ids would be built for nothing.
        const ids = new Set(result.rejectedIds.length === 0 ? [] : batch.messageIds);
        const rejected = new Set(result.rejectedIds.filter((id) => ids.has(id)));
        this.counters.delivered += batch.messages.length - rejected.size;
        this.counters.pending -= batch.messages.length;
        this.observer.delivered(batch.messages.length - rejected.size);
        if (result.status === 207) {
          this.counters.dropped += rejected.size;
          const given = batch.messages.filter((message) => rejected.has(message.messageId));
          this.lose(new DeliveryError('MR_ERR_PARTIAL_REJECTED', `server rejected ${rejected.size} of ${batch.messages.length} messages (207): ${result.detail}`, [...rejected], { status: 207 }), given);
        }
        this.wakeBackoffs();
        return this.finish(batch);
      }
      case 'retryable': {
        const delay = batch.attempts > this.settings.maxRetries ? undefined : this.retryDelay(batch.attempts, result.retryAfterMillis);
        if (delay === undefined || Date.now() + delay - batch.firstAttemptAt > this.settings.maxRetryDuration) {
          if (this.canOutlast(batch)) {
            batch.outlast();
            return this.scheduleRetry(batch, delay ?? this.retryDelay(batch.attempts, result.retryAfterMillis), result.retryAfterMillis !== undefined);
          }
          const limit = delay === undefined ? `${batch.attempts} attempts` : `${batch.attempts} attempts, at the ${this.settings.maxRetryDuration} ms retry deadline`;
          return this.giveUp(batch, 'MR_ERR_RETRIES_EXHAUSTED', `gave up after ${limit}: ${result.reason}`, { cause: result.cause, status: result.status });
        }
        return this.scheduleRetry(batch, delay, result.retryAfterMillis !== undefined);
      }
      case 'too-large':
        if (batch.messages.length === 1) {
          return this.giveUp(batch, 'MR_ERR_MESSAGE_TOO_LARGE', 'server answered 413 for a single message', { status: 413 });
        }
        return this.split(batch);
      case 'failed':
        return this.giveUp(batch, result.code, result.status === undefined ? result.detail : `server answered ${result.status}: ${result.detail}`, { cause: result.cause, status: result.status });
    }
  }

  /**
   * With storage, a batch wholly on disk outlasts its retry budget: it is retried (backoff capped at
   * `MAX_BACKOFF_MILLIS`) until delivered or rejected, bounded by the disk, as Vector retries a sink
   * without end by default; only `flush()` stops waiting for it. Messages whose write failed live in
   * memory only and keep the budget.
   */
  private canOutlast(batch: Batch): boolean {
    return this.spool !== undefined && !this.stopped && (batch.messages as readonly Held[]).every((message) => message.position !== undefined);
  }

  private scheduleRetry(batch: Batch, delayMillis: number, serverAsked: boolean): void {
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
    if (this.flushing === 0) batch.retryTimer.unref();
  }

  /**
   * After a success the endpoint is back: batches waiting out our own backoff go now instead of
   * keeping the queue full for up to a backoff period. A wait the server asked for is kept.
   * Only those batches are visited: every success walking all active batches made a backlog of
   * small batches (`flushAt` 1 to 10) cost its square.
   */
  private wakeBackoffs(): void {
    for (const batch of this.backingOff) {
      clearTimeout(batch.retryTimer);
      batch.retryTimer = undefined;
      this.ready.push(batch);
    }
    this.backingOff.clear();
  }

  /** Replaces a batch the server found too large by its two halves; the batch settles when both do. */
  private split(batch: Batch): void {
    this.active.delete(batch);
    const middle = Math.ceil(batch.messages.length / 2);
    const halves = [new Batch(batch.messages.slice(0, middle)), new Batch(batch.messages.slice(middle))];
    for (const half of halves) this.active.add(half);
    this.ready.unshift(...halves);
    void Promise.all(halves.map((half) => half.done)).then(() => batch.settle());
  }

  private giveUp(batch: Batch, code: ErrorCode, message: string, options: { cause?: unknown; status: number | undefined }): void {
    this.counters.dropped += batch.messages.length;
    this.counters.pending -= batch.messages.length;
    this.lose(new DeliveryError(code, message, batch.messageIds, options), batch.messages);
    this.finish(batch);
  }

  private finish(batch: Batch): void {
    this.active.delete(batch);
    // A batch settled while it waited (abandoned at a close deadline, evicted from storage) must not be woken.
    this.backingOff.delete(batch);
    this.held -= batch.messages.length;
    batch.settle();
    this.refill();
  }

  /**
   * Refuses messages that never reach the queue (closed, too large, not a valid analytics record):
   * counted and reported like every other loss.
   */
  discard(code: ErrorCode, message: string, ids: string[], count = ids.length, cause?: unknown): void {
    this.counters.refused += count;
    this.lose(new DeliveryError(code, message, ids, { cause }));
  }

  /** Counts a message a shaping stage dropped by the user's decision: observed, not reported. */
  filter(messageId: string, stage: string): void {
    this.counters.filtered++;
    this.observer.filtered?.(messageId, stage);
  }

  /**
   * The one way out for messages that will not be delivered: observed, kept in the dead-letter file
   * when there is one (`given`: the accepted messages given up), then reported.
   */
  private lose(error: DeliveryError, given: readonly Message[] = []): void {
    this.observer.dropped(error.messageIds, error.code);
    this.deadLetters?.keep(given);
    this.report(error);
  }

  private reportQueueFull(): void {
    const ids = this.droppedForFullQueue;
    if (ids.length === 0) return;
    this.droppedForFullQueue = [];
    const full = this.spool === undefined ? `queue held ${this.settings.maxQueueSize} messages` : 'storage held storage.maxBytes';
    this.lose(new DeliveryError('MR_ERR_QUEUE_FULL', `${full}; dropped ${ids.length}`, ids));
  }
}
