import type { Message } from '../translate/message.js';
import type { NamedStatement, PostgresClient } from './postgres-client.js';

/** A row claimed for delivery: the message, and where it is in the events table. */
export type ClaimedRow = Message & { readonly seq: string };

/** A row given up: its `seq`, the error code and the reason. */
export interface GivenUp {
  readonly seq: string;
  readonly code: string;
  readonly reason: string;
}

/**
 * Separates the message JSONs of a commit in one text parameter. JSON text never holds it raw (a
 * control character in a string is escaped), so the bodies travel as they are: a text array would
 * escape every quote of every body, in the bridge's CPU and on the wire.
 */
const SEPARATOR = '\u001e';

/** SQLSTATE of a key taken by a request that committed after this one's snapshot. */
const UNIQUE_VIOLATION = '23505';
/** Commits tried before such a fault is the caller's: each retry can only lose to keys committed since the last. */
const COMMIT_ATTEMPTS = 5;

// Keys are inserted in messageId order: two requests that share ids then wait for each other in one
// order, never in a deadlock. A request's own repeats are stored once (DISTINCT ON).
// Keys already taken are left out by a lookup, not by ON CONFLICT: a speculative insertion writes a
// second WAL record per key (its confirmation, about 48 bytes an event). A key that another request
// commits after this statement's snapshot fails it on the primary key instead (see `commit`).
const COMMIT: NamedStatement = { name: 'metarouter_commit', text: `
WITH input AS (
  SELECT DISTINCT ON (message_id) message_id, body, bytes, ord
  FROM unnest($2::text[], string_to_array($3, E'\\x1e'), $4::int[]) WITH ORDINALITY AS given(message_id, body, bytes, ord)
  ORDER BY message_id, ord
), fresh AS (
  INSERT INTO metarouter_keys (write_key, message_id)
  SELECT $1, message_id FROM input
  WHERE (SELECT 1 FROM metarouter_keys AS taken WHERE taken.write_key = $1 AND taken.message_id = input.message_id LIMIT 1) IS NULL
  ORDER BY message_id
  RETURNING message_id
)
INSERT INTO metarouter_events (write_key, message_id, body, bytes, lease_until, lease_owner)
SELECT $1, input.message_id, input.body, input.bytes, CASE WHEN $5::uuid IS NULL THEN NULL ELSE now() + $6 * interval '1 millisecond' END, $5::uuid
FROM input JOIN fresh USING (message_id) ORDER BY input.ord
RETURNING seq::text AS seq, message_id` };

/** A claim of the oldest waiting rows; `from` narrows it to rows after a seq (see `claim`). */
function claimStatement(from: string): string {
  return `
UPDATE metarouter_events AS e SET lease_until = now() + $3 * interval '1 millisecond', lease_owner = $4
FROM (
  SELECT seq FROM metarouter_events
  WHERE write_key = $1 AND NOT done AND (lease_until IS NULL OR lease_until < now())${from}
  ORDER BY seq LIMIT $2
  FOR UPDATE SKIP LOCKED
) AS picked
WHERE e.seq = picked.seq AND e.write_key = $1 AND NOT e.done
RETURNING e.seq::text AS seq, e.message_id, e.body, e.bytes`;
}

const CLAIM_ALL: NamedStatement = { name: 'metarouter_claim', text: claimStatement('') };
const CLAIM_AFTER: NamedStatement = { name: 'metarouter_claim_after', text: claimStatement(' AND seq > $5') };

// Dead letters and the end of every row of a batch, in one statement: a row is never done without its dead letter.
// Only \`done\`, the last column, changes (a done row's lease is never read): the new version of the
// row stays on its page (the partitions' fillfactor keeps room for it), and the WAL then holds the
// few bytes that differ, not the row and its body again.
// Its commit does not wait for the WAL to reach the disk: a settlement lost with the last moments
// before a crash of the database sends its batch again (at least once), it never loses an event.
const SETTLE: NamedStatement = { name: 'metarouter_settle', text: `
WITH unhurried AS (
  SELECT set_config('synchronous_commit', 'off', true)
), settled AS (
  UPDATE metarouter_events SET done = true
  WHERE write_key = $1 AND NOT done AND seq = ANY($2::bigint[]) AND EXISTS (SELECT FROM unhurried)
  RETURNING seq, accepted_at, message_id, body
)
INSERT INTO metarouter_dead_letters (seq, accepted_at, write_key, message_id, body, code, reason)
SELECT settled.seq, settled.accepted_at, $1, settled.message_id, settled.body, given.code, given.reason
FROM settled JOIN unnest($3::bigint[], $4::text[], $5::text[]) AS given(seq, code, reason) USING (seq)
ON CONFLICT (seq) DO NOTHING` };

const EXTEND: NamedStatement = { name: 'metarouter_extend', text: `
UPDATE metarouter_events SET lease_until = now() + $3 * interval '1 millisecond'
WHERE write_key = $1 AND NOT done AND seq = ANY($2::bigint[]) AND lease_owner = $4` };

const RELEASE: NamedStatement = { name: 'metarouter_release', text: `
UPDATE metarouter_events SET lease_until = NULL, lease_owner = NULL
WHERE write_key = $1 AND NOT done AND seq = ANY($2::bigint[]) AND lease_owner = $3` };

/**
 * The statements of the shared queue, one function each, for one writeKey. Each is one statement,
 * so each is its own transaction: a request's rows are committed together, a batch's rows end
 * together with their dead letters.
 */
export class QueueStore {
  constructor(
    private readonly client: PostgresClient,
    private readonly writeKey: string,
  ) {}

  /**
   * Stores the messages whose (writeKey, messageId) is new; resolves once committed, with the seq of
   * each new one by messageId. With `owner`, the new rows are leased to it as they are written: the
   * bridge that took them delivers them from memory, with no claim and no read back.
   */
  async commit(messages: readonly Message[], owner: string | null, leaseMillis: number): Promise<Map<string, string>> {
    const ids: string[] = [];
    const bytes: number[] = [];
    let bodies = '';
    for (const message of messages) {
      ids.push(message.messageId);
      bytes.push(message.bytes);
      bodies += ids.length === 1 ? message.json : SEPARATOR + message.json;
    }
    const values = [this.writeKey, ids, bodies, bytes, owner, leaseMillis];
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { rows } = await this.client.query<{ seq: string; message_id: string }>(COMMIT, values);
        return new Map(rows.map((row) => [row.message_id, row.seq]));
      } catch (error) {
        // Another request committed one of these keys meanwhile: nothing was written, and the next
        // attempt's snapshot sees that key and leaves it out.
        if (attempt >= COMMIT_ATTEMPTS || (error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      }
    }
  }

  /**
   * Claims up to `limit` waiting rows, oldest first, leased to `owner` for `leaseMillis`; rows other
   * bridges hold are skipped. With `after`, only rows past that seq: the index still holds an entry
   * for every row delivered since the partition's last vacuum, and a claim from the start walks them
   * all (cheaply, once marked dead, but in proportion to the partition's traffic).
   */
  async claim(limit: number, leaseMillis: number, owner: string, after?: string): Promise<ClaimedRow[]> {
    const values: unknown[] = [this.writeKey, limit, leaseMillis, owner];
    if (after !== undefined) values.push(after);
    const result = await this.client.query<{ seq: string; message_id: string; body: string; bytes: number }>(after === undefined ? CLAIM_ALL : CLAIM_AFTER, values);
    // RETURNING of an UPDATE keeps no order: the batch goes out in the order the rows were taken.
    result.rows.sort((a, b) => (a.seq.length - b.seq.length) || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
    return result.rows.map((row) => ({ seq: row.seq, messageId: row.message_id, json: row.body, bytes: row.bytes }));
  }

  /** Marks rows done (delivered or given up); those `givenUp` names are kept as dead letters in the same statement. */
  async settle(seqs: readonly string[], givenUp: readonly GivenUp[]): Promise<void> {
    await this.client.query(SETTLE, [this.writeKey, seqs, givenUp.map((row) => row.seq), givenUp.map((row) => row.code), givenUp.map((row) => row.reason)]);
  }

  /** Renews the lease on rows `owner` still holds. */
  async extend(seqs: readonly string[], leaseMillis: number, owner: string): Promise<void> {
    await this.client.query(EXTEND, [this.writeKey, seqs, leaseMillis, owner]);
  }

  /** Gives rows `owner` holds back to the fleet at once (a close). */
  async release(seqs: readonly string[], owner: string): Promise<void> {
    await this.client.query(RELEASE, [this.writeKey, seqs, owner]);
  }
}
