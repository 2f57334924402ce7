import type { Dispatcher } from 'undici';
import type { Compression } from '../config/delivery-options.js';
import type { ErrorCode } from '../errors/codes.js';

/** The outcome of one POST. A transport resolves to this union; it never throws for an HTTP status. */
export type TransportResult =
  | {
      readonly kind: 'success';
      readonly status: number;
      /** messageIds the server named as rejected in a 207 answer. */
      readonly rejectedIds: readonly string[];
      /** The server's words for a 207, cut short. */
      readonly detail: string;
    }
  | {
      readonly kind: 'retryable';
      readonly reason: string;
      readonly status: number | undefined;
      /** The server's hint (Retry-After), already capped, when it gave one. */
      readonly retryAfterMillis: number | undefined;
      readonly cause?: unknown;
    }
  | { readonly kind: 'too-large'; readonly status: 413 }
  | {
      readonly kind: 'failed';
      readonly code: ErrorCode;
      /** The server's status; undefined when the request was refused before any answer. */
      readonly status: number | undefined;
      readonly detail: string;
      readonly cause?: unknown;
    };

/** One POST of a request body with a deadline. */
export interface Transport {
  /**
   * True where the runtime ties the I/O and timers a request handler starts to that incoming
   * request, and cancels them when it ends (Cloudflare Workers): a request then must not count on a
   * send another request started. The engine sends only from `flush()` there, in the flushing
   * request, which waits for every request it started.
   */
  readonly requestScoped?: boolean;
  send(body: Buffer, signal: AbortSignal): Promise<TransportResult>;
  /** Releases the connections: called once everything was delivered or given up. */
  close(): Promise<void>;
}

/** Where and how to post, whichever client sends (the fetch transport ignores `connections` and `dispatcher`). */
export interface TransportOptions {
  readonly origin: string;
  readonly requestPath: string;
  readonly writeKey: string;
  readonly timeoutMillis: number;
  readonly connections: number;
  readonly compression: Compression;
  /** The user's dispatcher; when absent the undici transport makes (and later closes) a Pool of its own. */
  readonly dispatcher?: Dispatcher | undefined;
}
