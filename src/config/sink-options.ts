import type { TrackingPlanSource } from '../shaping/tracking-plan/plan-source.js';

/** What the local sink answers instead of accepting a request, to watch a client's error handling. */
export type SinkFaultKind = '500' | '429' | '413' | '401' | 'slow';

/** A fault the local sink simulates for its next requests. */
export interface SinkFault {
  /**
   * `500`, `429` (with `Retry-After`), `413` and `401` answer that status and keep nothing; `slow`
   * waits `slowMillis`, then accepts the request as usual.
   */
  kind: SinkFaultKind;
  /** How many of the next `POST /v1/batch` requests get the fault. */
  count: number;
}

/** Options of `startSink()`: the local ingestion endpoint and its live debugger page. */
export interface SinkOptions {
  /**
   * Port to listen on; 0 picks a free one.
   * @default 8088
   */
  port?: number;
  /**
   * Address to listen on. Any address other than a loopback one (127.0.0.0/8, `::1`, `localhost`)
   * requires `token`, since the debugger page shows user data.
   * @default '127.0.0.1'
   */
  hostname?: string;
  /**
   * The debugger page, its event stream and its API require this token (`?token=` in the page's URL,
   * or `Authorization: Bearer`). Required when `hostname` is not a loopback address. `POST /v1/batch`
   * never needs it.
   */
  token?: string;
  /** Path of a file to append every received message to, one JSON object per line (NDJSON). It must be writable at start. */
  out?: string;
  /** Called with each message's readable line (the CLI prints it). */
  onLine?: (line: string) => void;
  /**
   * Request bodies over this many bytes (after gunzip) get 413.
   * @default 1048576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Messages kept for `messages`, the debugger page and its export; the oldest go first.
   * @default 100000
   */
  maxHistory?: number;
  /**
   * A URL template that turns trace ids into links on the debugger page: `{traceId}` is replaced,
   * e.g. `http://localhost:16686/trace/{traceId}` for Jaeger.
   */
  traceUrl?: string;
  /**
   * Debugger pages (event streams) connected at once; more are answered 503.
   * @default 100
   */
  maxStreamClients?: number;
  /** A fault to simulate from the start (the page can arm others). */
  fault?: SinkFault;
  /**
   * A tracking plan (as `Analytics` takes it: a Segment Protocols plan or the path of its JSON
   * export) whose violations the debugger marks beside the Segment Spec problems, each with its
   * field path. The sink still keeps every message.
   * @default no plan
   */
  trackingPlan?: TrackingPlanSource | string;
  /**
   * Seconds of the `Retry-After` header sent with a simulated 429.
   * @default 1
   */
  retryAfterSeconds?: number;
  /**
   * Milliseconds a simulated `slow` answer waits.
   * @default 3000
   */
  slowMillis?: number;
}
