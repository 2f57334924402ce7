import type { PoolClient } from 'pg';
import { MetaRouterError } from '../errors/metarouter-error.js';

/**
 * The shared queue's tables, all named `metarouter_*` in the connection's schema (choose another
 * with `?options=-c%20search_path%3Dname` in the URL). This module owns them and their versions.
 *
 * - `metarouter_queue_schema`: one row, the schema version and the partition width the first
 *   bridge chose (later bridges use it, so partitions never overlap).
 * - `metarouter_events`: one row per accepted message (`seq` from a sequence, `accepted_at`, the
 *   writeKey, messageId, the message JSON and its byte count, the lease: `lease_until` and
 *   `lease_owner`, and `done`), partitioned by range of `accepted_at`, `partitionMillis` wide. One
 *   partial index, `(write_key, seq) WHERE NOT done`, serves claims, settlements and the check that
 *   a partition is finished. Rows are never deleted: a partition whose period is over and whose
 *   rows are all done is dropped whole. `done` is the last column and a settlement changes nothing
 *   else, and partitions are made half full (`queue-upkeep.ts`), so a settled row's new version is
 *   written on its own page and the WAL holds only the bytes that differ. Partitions made by an
 *   older bridge (fillfactor 80) work the same, with more WAL, until they are dropped.
 * - `metarouter_keys`: `(write_key, message_id)` primary key and `accepted_at`, unpartitioned
 *   (a partitioned one would need the time in its key, and could not refuse a duplicate that
 *   arrives in a later partition); pruned past `dedupWindow` by `accepted_at`, in small deletes.
 * - `metarouter_dead_letters`: what delivery gave up, with its code and reason, until exported.
 */
export const SCHEMA_VERSION = 1;

/** Held (transaction-scoped) while migrating, so that bridges starting together migrate once. */
export const MIGRATION_LOCK = 0x6d72_0001;
/** Held (transaction-scoped) by the one bridge doing partition upkeep at a time. */
export const UPKEEP_LOCK = 0x6d72_0002;

const VERSION_1 = `
CREATE SEQUENCE metarouter_events_seq;
CREATE TABLE metarouter_events (
  seq bigint NOT NULL DEFAULT nextval('metarouter_events_seq'),
  accepted_at timestamptz NOT NULL DEFAULT now(),
  write_key text NOT NULL,
  message_id text NOT NULL,
  body text NOT NULL,
  bytes integer NOT NULL,
  lease_until timestamptz,
  lease_owner uuid,
  done boolean NOT NULL DEFAULT false
) PARTITION BY RANGE (accepted_at);
CREATE INDEX metarouter_events_waiting ON metarouter_events (write_key, seq) WHERE NOT done;
CREATE TABLE metarouter_keys (
  write_key text NOT NULL,
  message_id text NOT NULL,
  accepted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (write_key, message_id)
);
CREATE INDEX metarouter_keys_age ON metarouter_keys (accepted_at);
CREATE TABLE metarouter_dead_letters (
  seq bigint PRIMARY KEY,
  accepted_at timestamptz NOT NULL,
  given_up_at timestamptz NOT NULL DEFAULT now(),
  write_key text NOT NULL,
  message_id text NOT NULL,
  body text NOT NULL,
  code text NOT NULL,
  reason text NOT NULL
);
CREATE INDEX metarouter_dead_letters_key ON metarouter_dead_letters (write_key, seq);
`;

/** What the migration found or made. */
export interface SchemaState {
  /** The partition width in force: the first bridge's `partitionMillis`. */
  readonly partitionMillis: number;
}

/**
 * Creates the tables, or checks them, in one transaction under an advisory lock: any number of
 * bridges may start at once. Throws `MR_ERR_QUEUE_SCHEMA` for a schema newer than this package knows.
 */
export async function migrate(client: PoolClient, partitionMillis: number): Promise<SchemaState> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS metarouter_queue_schema (version integer NOT NULL, partition_millis bigint NOT NULL)');
    const found = await client.query<{ version: number; partition_millis: string }>('SELECT version, partition_millis FROM metarouter_queue_schema');
    const row = found.rows[0];
    if (row === undefined) {
      await client.query(VERSION_1);
      await client.query('INSERT INTO metarouter_queue_schema (version, partition_millis) VALUES ($1, $2)', [SCHEMA_VERSION, partitionMillis]);
    } else if (row.version > SCHEMA_VERSION) {
      throw new MetaRouterError('MR_ERR_QUEUE_SCHEMA', `the queue's tables are at schema version ${row.version}, newer than this package knows (${SCHEMA_VERSION}): run a bridge of the newer version`);
    }
    await client.query('COMMIT');
    return { partitionMillis: row === undefined ? partitionMillis : Number(row.partition_millis) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
