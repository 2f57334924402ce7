import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { QueueConfig } from '../config/resolve-queue-options.js';
import { MetaRouterError } from '../errors/metarouter-error.js';
import { describeFault } from './postgres-client.js';

/** What one export wrote. */
export interface DeadLetterExport {
  /** Messages written to the file. */
  readonly written: number;
  /** Of those, removed from `metarouter_dead_letters`. */
  readonly removed: number;
}

/**
 * Appends the dead letters of the queue (of one writeKey, or all) to `file`, one message JSON per
 * line, oldest first: the NDJSON `replay` reads. With `remove`, deletes exactly the rows written,
 * after the file is synced, so a crash between the two writes a line twice (replay then sends it
 * with the same messageId) and never loses one.
 */
export async function exportDeadLetterRows(config: QueueConfig, file: string, writeKey: string | undefined, remove: boolean): Promise<DeadLetterExport> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: config.url, connectionTimeoutMillis: 5000, application_name: 'metarouter-otel dead-letters' });
  // A connection lost between statements fails the statement; the event itself must not be uncaught.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new MetaRouterError('MR_ERR_QUEUE_UNAVAILABLE', `the queue database ${config.shown} could not be reached: ${describeFault(error)}`, { cause: error });
  }
  try {
    const found = await client.query<{ seq: string; body: string }>('SELECT seq::text AS seq, body FROM metarouter_dead_letters WHERE $1::text IS NULL OR write_key = $1 ORDER BY seq', [writeKey ?? null]);
    const fd = openSync(file, 'a', 0o600);
    try {
      let text = '';
      for (const row of found.rows) text += `${row.body}\n`;
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (!remove || found.rows.length === 0) return { written: found.rows.length, removed: 0 };
    const removed = await client.query('DELETE FROM metarouter_dead_letters WHERE seq = ANY($1::bigint[])', [found.rows.map((row) => row.seq)]);
    return { written: found.rows.length, removed: removed.rowCount ?? 0 };
  } catch (error) {
    if (error instanceof MetaRouterError || typeof (error as { code?: unknown }).code !== 'string' || (error as { syscall?: unknown }).syscall !== undefined) throw error;
    throw new MetaRouterError('MR_ERR_QUEUE_UNAVAILABLE', `the dead letters of ${config.shown} could not be read: ${describeFault(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
