import { LIMITS } from '../config/defaults.js';
import type { StorageWhenFull } from '../config/delivery-options.js';
import { DeliveryError } from '../errors/metarouter-error.js';
import { comparePositions } from '../storage/ack-file.js';
import type { Eviction, Position, Spool } from '../storage/spool.js';
import type { Message } from '../translate/message.js';
import type { Batch } from './batch.js';
import { MemoryQueue } from './memory-queue.js';
import type { Held, MessageQueue, QueueHost } from './message-queue.js';

/** True when the first stored message of `batch` ends at or before `end`. */
function startsBy(batch: Batch, end: Position): boolean {
  const first = (batch.messages as readonly Held[]).find((message) => message.position !== undefined);
  return first?.position !== undefined && comparePositions(first.position, end) <= 0;
}

/**
 * The durable queue: a `Spool` below memory. Memory is a `MemoryQueue` window on it, at most
 * `maxQueueSize` messages.
 *
 * What must stay true:
 * - Accepted means written: `offer` appends the record (one `write(2)`, no sync) before it returns
 *   true. A failed write is reported (by the spool) and the message is held in memory only.
 * - The spool is the queue; memory is a window on it. While memory is full, or records are in the
 *   spool that memory has not read (`backlog`, which includes what an earlier process left), new
 *   records go to the spool only, and are read back in order as batches settle.
 * - Batches cover consecutive records. A batch that settles (delivered, or given up and reported)
 *   is recorded in the spool as a settled range, even while an older batch waits to retry; the
 *   cursor moves over the settled ranges that reach it. A kill then resends only the batches not
 *   settled: those in flight or waiting to retry (plus, past `MAX_SETTLED_RANGES` gaps, later ones).
 *   A close deadline (`stop`) does not settle anything: what is left stays in the spool for the next
 *   start, except messages whose write failed (memory only, `keeps` is false), which the engine drops.
 * - A full spool refuses the newest message (`MR_ERR_QUEUE_FULL`), or with `whenFull: 'drop_oldest'`
 *   evicts its oldest segment: every unsettled message in it is dropped once, `MR_ERR_EVICTED`, except
 *   those in a request in flight, which its answer settles.
 * - The on-disk format is `src/storage/format.ts`'s alone. Recovery never blocks start-up: the
 *   reader skips a corrupt record to the next intact one, cuts a torn tail off, and reports both.
 */
export class DiskQueue implements MessageQueue {
  readonly durable = true;
  private readonly window: MemoryQueue;
  /** Records in the spool that are not in memory yet (recovered, or beyond maxQueueSize). */
  backlog = false;
  /** Where the last stored record cut into a batch ends; the next batch covers the records after it. */
  private cutThrough: Position;
  private stopped = false;

  constructor(
    private readonly spool: Spool,
    maxQueueSize: number,
    private readonly whenFull: StorageWhenFull | undefined,
    private readonly host: QueueHost,
  ) {
    this.window = new MemoryQueue(maxQueueSize, host);
    this.cutThrough = spool.cursor;
    // What an earlier process left is read in by the engine on its first turn (see `Delivery`).
    this.backlog = !spool.caughtUp;
  }

  get size(): number {
    return this.window.size;
  }

  /** Messages past memory wait on disk: what must fit is the disk limit, counted at the largest record size. */
  hasRoomFor(count: number): boolean {
    if (this.spool.failing) return this.window.hasRoomFor(count);
    return this.whenFull === 'drop_oldest' || this.spool.freeBytes >= count * LIMITS.maxStoredRecordBytes;
  }

  offer(message: Message): boolean {
    let inMemory = this.roomInMemory();
    let position = this.spool.append(message.messageId, message.json, inMemory);
    while (position === 'full' && this.whenFull === 'drop_oldest' && this.evictOldest()) {
      inMemory = this.roomInMemory();
      position = this.spool.append(message.messageId, message.json, inMemory);
    }
    if (position === 'full') return false;
    // The write failed (reported): the message is held in memory only, as without storage.
    if (position === 'failed') return this.window.offer(message);
    if (inMemory) this.window.take({ messageId: message.messageId, json: message.json, bytes: message.bytes, position });
    else this.backlog = true;
    return true;
  }

  private roomInMemory(): boolean {
    return !this.backlog && this.window.size < this.window.capacity;
  }

  release(count: number): void {
    this.window.release(count);
  }

  /** Takes records from the spool into memory, as far as maxQueueSize allows. */
  refill(): void {
    if (!this.backlog || this.stopped) return;
    const room = this.window.capacity - this.window.size;
    if (room <= 0) return;
    for (const record of this.spool.read(room)) {
      if (record.recovered) {
        this.host.counters.recovered++;
        this.host.counters.pending++;
      }
      this.window.take(record);
    }
    this.backlog = !this.spool.caughtUp;
  }

  /** Once `batch` settles, the spool records its records as settled, whatever the batches before it do. */
  cut(batch: Batch): void {
    const messages = batch.messages as readonly Held[];
    // A message whose write failed has no position; the batch ends where its last stored one does.
    let to: Position | undefined;
    for (let i = messages.length - 1; i >= 0 && to === undefined; i--) to = messages[i]!.position;
    if (to === undefined) return;
    const from = this.cutThrough;
    this.cutThrough = to;
    void batch.done.then(() => {
      if (!this.stopped) this.spool.settle(from, to);
    });
  }

  /** What was taken before now ends at the spool's write end; the backlog up to it streams in as batches settle. */
  takenBeforeNow(): (batch: Batch) => boolean {
    const end = this.spool.end;
    return (batch) => startsBy(batch, end);
  }

  /** Only a message with a position is on disk; one whose write failed lives in memory only. */
  keeps(message: Held): boolean {
    return message.position !== undefined;
  }

  stop(): void {
    this.stopped = true;
  }

  close(): void {
    this.spool.close();
  }

  /**
   * Makes room in a full spool by evicting its oldest segment. Its messages in memory are dropped
   * now, except those in a request in flight: that answer decides (delivered, or dropped as evicted
   * instead of retried, as they are no longer on disk), so each message is counted once. Its
   * messages not read yet are dropped once read back from the unlinked file, after this call.
   */
  private evictOldest(): boolean {
    const eviction = this.spool.evictOldest();
    if (eviction === undefined) return false;
    this.dropEvicted(this.host.evict((message) => message.position?.segment === eviction.segment), eviction.segment);
    setImmediate(() => this.dropEvictedUnread(eviction));
    return true;
  }

  /** Drops messages of an evicted segment that were not in memory; those an earlier process wrote are counted recovered first. */
  private dropEvictedUnread(eviction: Eviction): void {
    const records = this.spool.readEvicted(eviction);
    if (eviction.previous) {
      this.host.counters.recovered += records.length;
      this.host.counters.pending += records.length;
    }
    this.dropEvicted(records, eviction.segment);
  }

  private dropEvicted(given: readonly Message[], segment: number): void {
    if (given.length === 0) return;
    const { counters } = this.host;
    counters.dropped += given.length;
    counters.evicted += given.length;
    counters.pending -= given.length;
    this.host.lose(new DeliveryError('MR_ERR_EVICTED', `storage held storage.maxBytes: evicted ${given.length} of the oldest undelivered messages (segment ${segment}) to make room`, given.map((message) => message.messageId)), given);
  }
}
