import type { Batch } from '../delivery/batch.js';
import type { DeadLetterSink, Held, MessageQueue, QueueHost } from '../delivery/message-queue.js';
import type { DeliveryError } from '../errors/metarouter-error.js';
import type { Message } from '../translate/message.js';
import type { ClaimedRow, GivenUp, QueueStore } from './queue-store.js';

/** While the queue is empty, a bridge looks for rows others committed (or whose lease ran out) this often. */
const POLL_MILLIS = 250;
/** The first wait after a failed claim; it doubles up to `MAX_BACKOFF_MILLIS`. */
const FIRST_BACKOFF_MILLIS = 250;
const MAX_BACKOFF_MILLIS = 10_000;
/**
 * Claims look past the last row this bridge claimed, and from the oldest waiting row at most this
 * often (and whenever a claim past it finds less than it wanted): rows released by a closing
 * bridge, whose lease ran out, or committed late with a lower seq are found by those.
 */
const FULL_CLAIM_MILLIS = 1000;

const never = (_batch: Batch) => false;

/** What the queue is given besides its store. */
export interface PostgresQueueSettings {
  /** Rows held in memory at most: claimed, in batches, in flight, waiting to retry. */
  readonly capacity: number;
  readonly leaseMillis: number;
  /** This bridge's id in `lease_owner`. */
  readonly owner: string;
}

function isClaimed(message: Held): message is Held & ClaimedRow {
  return typeof (message as Partial<ClaimedRow>).seq === 'string';
}

/**
 * The delivery engine's queue on a bridge of a fleet: the events table is the queue, memory a
 * window of the rows this bridge claimed. The engine batches, sends, retries and reports exactly
 * as it does for the other queues; only where messages come from and what settles them differ.
 *
 * What must stay true:
 * - Rows this bridge commits are leased to it in the same statement while its memory has room
 *   (`reserve`, then `adopt`): it delivers them from memory, with no claim and no read back. The rest
 *   wait for a claim, by any bridge.
 * - A row is claimed by one bridge at a time (`FOR UPDATE SKIP LOCKED`, then a lease of
 *   `leaseMillis`), renewed every third of it while this bridge holds the row (in a batch, in
 *   flight, waiting to retry, or its settlement not yet written). A bridge that dies stops renewing:
 *   its rows go to whoever claims next once the lease runs out.
 * - A batch that settles marks its rows done in one statement, which also writes the dead letters
 *   of those given up; a settlement that fails is retried (the rows stay leased meanwhile).
 * - A close deadline settles nothing: the rows left are released (lease cleared) for the fleet.
 * - Claims take the oldest waiting rows of this writeKey first. Order is not promised beyond that:
 *   batches in flight at once, retries and other bridges deliver out of order.
 */
export class PostgresQueue implements MessageQueue, DeadLetterSink {
  readonly durable = true;
  /** Rows may wait in the database at any time (other bridges commit them). */
  readonly backlog = true;
  readonly keptWhere = 'stay in the shared queue, released for any bridge to send';
  private held = 0;
  /** Room held for rows this bridge is committing to itself. */
  private reserved = 0;
  /** Rows this bridge holds in the database: claimed and not known settled there. */
  private readonly leased = new Map<string, ClaimedRow>();
  /** Rows the engine gave up, until their batch settles and writes them as dead letters. */
  private readonly givenUp = new Map<string, GivenUp>();
  /** Settlements that failed, tried again at each renewal. */
  private unwritten: Array<{ seqs: string[]; givenUp: GivenUp[] }> = [];
  private readonly writing = new Set<Promise<void>>();
  private claiming = false;
  /** Rows were committed while a claim was under way: claim again as soon as it ends. */
  private woken = false;
  private backoffMillis = FIRST_BACKOFF_MILLIS;
  private nextClaim: NodeJS.Timeout | undefined;
  private readonly renewal: NodeJS.Timeout;
  private stopped = false;
  /** Set when the bridge closes: what is held is delivered, nothing more is claimed. */
  private draining = false;
  private claimed: Promise<void> | undefined;
  /** The highest seq claimed since the last claim from the oldest row; undefined: the next claim starts from the oldest. */
  private after: string | undefined;
  private lastFullClaim = 0;

  constructor(
    private readonly store: QueueStore,
    private readonly host: QueueHost,
    private readonly settings: PostgresQueueSettings,
  ) {
    this.renewal = setInterval(() => this.renew(), Math.max(100, Math.floor(settings.leaseMillis / 3)));
    this.renewal.unref();
  }

  get size(): number {
    return this.held;
  }

  hasRoomFor(count: number): boolean {
    return this.held + count <= this.settings.capacity;
  }

  /** Messages enter through the bridge's commit, never one by one: this engine only delivers. */
  offer(_message: Message): boolean {
    return false;
  }

  release(count: number): void {
    this.held -= count;
  }

  /** Claims waiting rows as far as there is room, unless a claim is under way or the queue stopped. */
  refill(): void {
    if (this.claiming || this.stopped || this.draining || this.held + this.reserved >= this.settings.capacity) return;
    clearTimeout(this.nextClaim);
    this.nextClaim = undefined;
    this.claimed = this.claim();
  }

  /** Claims nothing more (the bridge is closing); the rows held are still delivered. */
  drain(): void {
    this.draining = true;
    clearTimeout(this.nextClaim);
  }

  /** This bridge's id in `lease_owner`. */
  get owner(): string {
    return this.settings.owner;
  }

  /**
   * Room for `count` rows about to be committed by this bridge and leased to it at once; the room is
   * held until `adopt` or `unreserve`. False (no room, closing): they are committed for any bridge to claim.
   */
  reserve(count: number): boolean {
    if (this.stopped || this.draining || this.held + this.reserved + count > this.settings.capacity) return false;
    this.reserved += count;
    return true;
  }

  unreserve(count: number): void {
    this.reserved -= count;
  }

  /** Takes the rows this bridge committed leased to itself into memory, for the batcher: delivered like claimed ones. */
  adopt(reserved: number, rows: readonly ClaimedRow[]): void {
    this.reserved -= reserved;
    this.take(rows, 'accepted');
  }

  /** Holds leased rows in memory and hands them to the batcher, counted as `accepted` (committed here) or `recovered` (claimed). */
  private take(rows: readonly ClaimedRow[], counted: 'accepted' | 'recovered'): void {
    const { counters } = this.host;
    for (const row of rows) {
      this.leased.set(row.seq, row);
      this.held++;
      counters[counted]++;
      counters.pending++;
      this.host.hold(row);
    }
  }

  /** Rows were committed for any bridge: claims at once rather than at the next poll. */
  wake(): void {
    if (this.claiming) this.woken = true;
    else this.refill();
  }

  cut(batch: Batch): void {
    void batch.done.then(() => {
      if (!this.stopped) this.settle(batch.messages as readonly Held[]);
    });
  }

  takenBeforeNow(): (batch: Batch) => boolean {
    return never;
  }

  keeps(message: Held): boolean {
    return isClaimed(message);
  }

  /** Kept with its batch's settlement, in the same statement. */
  keep(messages: readonly Message[], error?: DeliveryError): void {
    for (const message of messages as readonly Held[]) {
      if (isClaimed(message)) this.givenUp.set(message.seq, { seq: message.seq, code: error?.code ?? 'MR_ERR_RETRIES_EXHAUSTED', reason: error?.message ?? 'given up' });
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Writes what settled, then gives the rows still held back to the fleet. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.nextClaim);
    clearInterval(this.renewal);
    await this.claimed;
    await Promise.all(this.writing);
    for (const settlement of this.unwritten.splice(0)) await this.write(settlement.seqs, settlement.givenUp);
    if (this.leased.size > 0) await this.store.release([...this.leased.keys()], this.settings.owner).catch(() => undefined);
  }

  private async claim(): Promise<void> {
    this.claiming = true;
    const room = this.settings.capacity - this.held - this.reserved;
    const now = Date.now();
    if (now - this.lastFullClaim >= FULL_CLAIM_MILLIS) this.after = undefined;
    const after = this.after;
    if (after === undefined) this.lastFullClaim = now;
    let rows: ClaimedRow[];
    try {
      rows = await this.store.claim(room, this.settings.leaseMillis, this.settings.owner, after);
    } catch {
      // The client reported the outage; claims resume after a growing wait.
      this.claiming = false;
      this.schedule(this.backoffMillis);
      this.backoffMillis = Math.min(this.backoffMillis * 2, MAX_BACKOFF_MILLIS);
      return;
    }
    this.claiming = false;
    this.backoffMillis = FIRST_BACKOFF_MILLIS;
    // Rows come back in seq order: the last is the highest. A short claim past `after` may have left rows before it.
    this.after = rows.length === room ? rows.at(-1)!.seq : rows.length > 0 && after === undefined ? rows.at(-1)!.seq : undefined;
    if (this.stopped || this.draining) {
      if (rows.length > 0) await this.store.release(rows.map((row) => row.seq), this.settings.owner).catch(() => undefined);
      return;
    }
    this.take(rows, 'recovered');
    if (rows.length > 0) this.host.send();
    // A full claim means more may wait: the engine's next settlement claims again. Otherwise poll.
    if (this.woken) {
      this.woken = false;
      this.refill();
    } else if (rows.length < room) this.schedule(POLL_MILLIS);
  }

  private schedule(delayMillis: number): void {
    if (this.stopped) return;
    clearTimeout(this.nextClaim);
    this.nextClaim = setTimeout(() => {
      this.nextClaim = undefined;
      this.refill();
    }, delayMillis);
    this.nextClaim.unref();
  }

  private settle(messages: readonly Held[]): void {
    const seqs: string[] = [];
    const givenUp: GivenUp[] = [];
    for (const message of messages) {
      if (!isClaimed(message)) continue;
      seqs.push(message.seq);
      const given = this.givenUp.get(message.seq);
      if (given !== undefined) givenUp.push(given);
    }
    if (seqs.length > 0) this.track(this.write(seqs, givenUp));
  }

  private track(writing: Promise<void>): void {
    this.writing.add(writing);
    void writing.finally(() => this.writing.delete(writing));
  }

  private async write(seqs: string[], givenUp: GivenUp[]): Promise<void> {
    try {
      await this.store.settle(seqs, givenUp);
      for (const seq of seqs) {
        this.leased.delete(seq);
        this.givenUp.delete(seq);
      }
    } catch {
      this.unwritten.push({ seqs, givenUp });
    }
  }

  /** Renews the leases of every row held, and writes the settlements that failed. */
  private renew(): void {
    if (this.stopped) return;
    const unwritten = this.unwritten.splice(0);
    for (const settlement of unwritten) this.track(this.write(settlement.seqs, settlement.givenUp));
    if (this.leased.size === 0) return;
    // An outage is reported by the client; a lease that runs out meanwhile may send these rows twice.
    this.store.extend([...this.leased.keys()], this.settings.leaseMillis, this.settings.owner).catch(() => undefined);
  }
}
