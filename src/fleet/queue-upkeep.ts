import { DeliveryError } from '../errors/metarouter-error.js';
import type { PostgresClient } from './postgres-client.js';
import { UPKEEP_LOCK } from './schema.js';

/** How long a partition drop waits for its lock (and so may hold up the fleet's statements queued behind it) before trying again at the next round. */
const DROP_LOCK_TIMEOUT = '500ms';
/**
 * Of each page of a partition, the share inserts fill: the rest takes the new versions of its rows
 * when they are settled, so that a settlement rewrites no row on another page (where the WAL would
 * hold the whole row again).
 */
const FILLFACTOR = 50;
/** Keys deleted per statement, so that pruning never holds many row locks at once. */
const PRUNE_CHUNK = 5000;
/** Rows evicted per round at most. */
const EVICT_CHUNK = 10_000;

/** What the upkeep needs to know. */
export interface UpkeepSettings {
  readonly writeKey: string;
  readonly partitionMillis: number;
  readonly dedupWindow: number;
  readonly maxBytes: number;
  readonly whenFull: 'drop_newest' | 'drop_oldest';
}

const PARTITION = /^metarouter_events_p(\d+)$/;

const EVICT = `
WITH victims AS (
  SELECT seq FROM metarouter_events
  WHERE write_key = $1 AND NOT done AND (lease_until IS NULL OR lease_until < now())
  ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED
), moved AS (
  UPDATE metarouter_events AS e SET done = true, lease_until = NULL FROM victims
  WHERE e.seq = victims.seq AND e.write_key = $1 AND NOT e.done
  RETURNING e.seq, e.accepted_at, e.message_id, e.body
)
INSERT INTO metarouter_dead_letters (seq, accepted_at, write_key, message_id, body, code, reason)
SELECT seq, accepted_at, $1, message_id, body, 'MR_ERR_EVICTED', $3 FROM moved
ON CONFLICT (seq) DO NOTHING
RETURNING message_id`;

/**
 * The queue's housekeeping, off the request path: partitions made ahead and dropped once finished,
 * keys pruned past the dedup window (by one bridge at a time, under an advisory lock), and the
 * size of what waits, which every bridge reads for its full-queue decision.
 */
export class QueueUpkeep {
  /** Bytes of undelivered messages in the queue at the last reading. */
  waitingBytes = 0;
  private lastPartitions = 0;
  private lastPrune = 0;

  constructor(
    private readonly client: PostgresClient,
    private readonly settings: UpkeepSettings,
    private readonly report: (error: DeliveryError) => void,
  ) {}

  /** One round: the size (and eviction), then partitions and keys when their turn has come. */
  async round(now = Date.now()): Promise<void> {
    await this.measure();
    const { partitionMillis, dedupWindow } = this.settings;
    if (now - this.lastPartitions >= Math.min(partitionMillis / 4, 60_000)) {
      await this.partitions();
      this.lastPartitions = now;
    }
    if (now - this.lastPrune >= Math.min(dedupWindow / 4, 60_000)) {
      await this.pruneKeys();
      this.lastPrune = now;
    }
  }

  /** Reads the bytes waiting; with `drop_oldest`, moves this writeKey's oldest to the dead letters past `maxBytes`. */
  async measure(): Promise<void> {
    const { rows } = await this.client.query<{ bytes: string; count: string }>('SELECT coalesce(sum(bytes), 0)::text AS bytes, count(*)::text AS count FROM metarouter_events WHERE NOT done');
    this.waitingBytes = Number(rows[0]!.bytes);
    const excess = this.waitingBytes - this.settings.maxBytes;
    if (excess <= 0 || this.settings.whenFull !== 'drop_oldest') return;
    const average = this.waitingBytes / Math.max(1, Number(rows[0]!.count));
    const limit = Math.min(EVICT_CHUNK, Math.ceil(excess / average) + 1);
    const reason = `the queue held queue.maxBytes (${this.settings.maxBytes}): the oldest undelivered messages were dropped to make room`;
    const evicted = await this.client.query<{ message_id: string }>(EVICT, [this.settings.writeKey, limit, reason]);
    if (evicted.rowCount === 0) return;
    this.report(new DeliveryError('MR_ERR_EVICTED', `${reason}: ${evicted.rowCount} messages, kept in metarouter_dead_letters`, evicted.rows.map((row) => row.message_id)));
  }

  /** Makes the current partition and the next two; drops past ones whose rows are all done. */
  async partitions(): Promise<void> {
    const width = this.settings.partitionMillis;
    await this.client.run(async (connection) => {
      await connection.query('BEGIN');
      try {
        const upkeep = await connection.query<{ locked: boolean; now: string }>('SELECT pg_try_advisory_xact_lock($1) AS locked, (extract(epoch FROM now()) * 1000)::bigint::text AS now', [UPKEEP_LOCK]);
        const { locked, now } = upkeep.rows[0]!;
        if (!locked) return void (await connection.query('ROLLBACK'));
        const current = Math.floor(Number(now) / width) * width;
        for (let start = current; start <= current + 2 * width; start += width) {
          await connection.query(`CREATE TABLE IF NOT EXISTS metarouter_events_p${start} PARTITION OF metarouter_events FOR VALUES FROM ('${new Date(start).toISOString()}') TO ('${new Date(start + width).toISOString()}') WITH (fillfactor = ${FILLFACTOR})`);
        }
        const listed = await connection.query<{ name: string }>("SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'metarouter_events'::regclass");
        await connection.query('COMMIT');
        // A period one width past its end takes no more inserts (a statement is bounded far below that).
        const finished = listed.rows.map((row) => PARTITION.exec(row.name)).filter((match) => match !== null && Number(match[1]) + 2 * width <= Number(now));
        for (const match of finished) await this.dropIfDone(connection, match![0]);
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  /**
   * Drops `name` if none of its rows waits, checked under the lock the drop takes, so no insert can
   * slip in between. The parent is locked first, whole: a drop locks it, and taking the partition
   * first would deadlock with a claim, which locks the parent, then every partition.
   */
  private async dropIfDone(connection: { query: (text: string) => Promise<{ rows: Array<{ waiting?: boolean }> }> }, name: string): Promise<void> {
    await connection.query('BEGIN');
    try {
      await connection.query(`SET LOCAL lock_timeout = '${DROP_LOCK_TIMEOUT}'`);
      await connection.query('LOCK TABLE metarouter_events IN ACCESS EXCLUSIVE MODE');
      const { rows } = await connection.query(`SELECT EXISTS (SELECT 1 FROM ${name} WHERE NOT done) AS waiting`);
      if (rows[0]?.waiting === false) await connection.query(`DROP TABLE ${name}`);
      await connection.query('COMMIT');
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      // A lock not had in time: the next round tries again; a partition another bridge dropped meanwhile is gone.
      const code = (error as { code?: string }).code;
      if (code !== '55P03' && code !== '42P01') throw error;
    }
  }

  /** Deletes keys older than the dedup window, a chunk at a time. */
  async pruneKeys(): Promise<void> {
    for (;;) {
      const { rowCount } = await this.client.query('DELETE FROM metarouter_keys WHERE ctid = ANY(ARRAY(SELECT ctid FROM metarouter_keys WHERE accepted_at < now() - $1 * interval \'1 millisecond\' LIMIT $2))', [this.settings.dedupWindow, PRUNE_CHUNK]);
      if (rowCount < PRUNE_CHUNK) return;
    }
  }
}
