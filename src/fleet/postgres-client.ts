import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DeliveryError, readThrown } from '../errors/metarouter-error.js';

/** A query that takes longer is abandoned and its connection destroyed: a cut network may never answer. */
const QUERY_TIMEOUT_MILLIS = 10_000;
/** While the database is unreachable, it is tried this often. */
const PROBE_MILLIS = 1000;

/** A statement the queue runs often: prepared on each connection under its name the first time. */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * The bridge's connections to PostgreSQL, and whether they work. Every statement goes through
 * `query`, which bounds its time; a failure marks the database unavailable (reported once per
 * outage, `MR_ERR_QUEUE_UNAVAILABLE`) until a probe or a later statement succeeds. The pool makes
 * new connections as needed, so a restarted or promoted server is picked up without a restart.
 */
export class PostgresClient {
  /** False from a failed statement until one succeeds. */
  healthy = true;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    /** The URL as messages show it: no password, no query. */
    readonly shown: string,
    private readonly report: (error: DeliveryError) => void,
  ) {
    // A connection that breaks while idle (a restart, a failover) must not end the process.
    pool.on('error', (error) => this.failed(error));
  }

  /**
   * Runs one statement on a connection of the pool; rejects (and marks the database unavailable) on
   * any failure. A named statement is parsed and planned once per connection, then only executed.
   */
  async query<R extends QueryResultRow>(statement: string | NamedStatement, values: readonly unknown[] = [], timeoutMillis = QUERY_TIMEOUT_MILLIS): Promise<{ rows: R[]; rowCount: number }> {
    return this.run(async (client) => {
      const result = await client.query<R>(typeof statement === 'string' ? { text: statement, values: values as unknown[] } : { name: statement.name, text: statement.text, values: values as unknown[] });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    }, timeoutMillis);
  }

  /** Runs `work` on one connection (for a transaction), bounded in time like `query`. */
  async run<T>(work: (client: PoolClient) => Promise<T>, timeoutMillis = QUERY_TIMEOUT_MILLIS): Promise<T> {
    let client: PoolClient | undefined;
    let timer: NodeJS.Timeout | undefined;
    // The pool listens for errors only on idle connections: one that breaks while checked out
    // (between two statements of a transaction) would otherwise be an uncaught error.
    const broken = (error: Error) => this.failed(error);
    try {
      client = await this.pool.connect();
      client.on('error', broken);
      const held = client;
      const result = await Promise.race([
        work(held),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer from PostgreSQL within ${timeoutMillis} ms`)), timeoutMillis);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      client.off('error', broken);
      client.release();
      this.recovered();
      return result;
    } catch (error) {
      clearTimeout(timer);
      // A connection that failed or timed out is destroyed, never handed out again; a late error of it is already accounted for.
      client?.off('error', broken).on('error', () => undefined);
      client?.release(error instanceof Error ? error : new Error(readThrown(error).text));
      if (isOutage(error)) this.failed(error);
      throw error;
    }
  }

  /** Ends every connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probe);
    await this.pool.end().catch(() => undefined);
  }

  private failed(error: unknown): void {
    if (this.closed) return;
    if (this.healthy) {
      this.healthy = false;
      this.report(new DeliveryError('MR_ERR_QUEUE_UNAVAILABLE', `the queue database ${this.shown} is unavailable: ${describeFault(error)}; requests are answered 503 until it answers again`, [], { cause: error }));
    }
    this.scheduleProbe();
  }

  private recovered(): void {
    this.healthy = true;
    clearTimeout(this.probe);
    this.probe = undefined;
  }

  private scheduleProbe(): void {
    if (this.probe !== undefined || this.closed) return;
    this.probe = setTimeout(() => {
      this.probe = undefined;
      this.query('SELECT 1', [], PROBE_MILLIS * 5).catch(() => undefined);
    }, PROBE_MILLIS);
    this.probe.unref();
  }
}

/** SQLSTATE classes of a statement's own fault (bad data, a constraint), as opposed to the database being unreachable or restarting. */
const STATEMENT_FAULTS = /^(22|23|42|44|P0)/;

/** True when `error` says the database cannot serve now (connection refused or lost, shutting down, read-only after a failover, a timeout). */
export function isOutage(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return !(typeof code === 'string' && code.length === 5 && STATEMENT_FAULTS.test(code));
}

/** A fault in words: the SQLSTATE or errno code and the driver's message (which holds no password). */
export function describeFault(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const text = readThrown(error).text;
  return typeof code === 'string' && !text.includes(code) ? `${code} ${text}` : text;
}
