import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { context } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import { LIMITS } from '../config/defaults.js';
import { redactError } from '../errors/redact-secrets.js';
import { describeError, readCapped } from './answer-body.js';
import { classifyResponse } from './classify-response.js';
import { isRefusedRequest } from './refused-request.js';
import { connectSkippingContinue } from './skip-continue.js';
import { authorization, RequestDeadline } from './request-deadline.js';
import { suppressTracing } from './suppress-tracing.js';
import { undiciParts } from './undici-parts.js';
import type { Transport, TransportOptions, TransportResult } from './transport-result.js';

const gzip = promisify(gzipCallback);

/**
 * How long the unread rest of a 2xx answer may take to drain before its connection is dropped: at
 * most this, and at most a quarter of the request timeout, since the next batch may be waiting for
 * the connection with its own deadline running.
 */
const MAX_DRAIN_MILLIS = 1000;


/**
 * Posts request bodies over one keep-alive undici Pool. Every request has a deadline, is sent
 * under `suppressTracing` (our own HTTP calls never become spans of the app), and resolves to a
 * {@link TransportResult}: it never throws.
 */
export class HttpTransport implements Transport {
  private readonly dispatcher: Dispatcher;
  /** `request` of the user's dispatcher, or undici's own `request` on our pool (loaded without the rest of undici). */
  private readonly request: (options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
  private readonly headers: Readonly<Record<string, string>>;
  /** Removes the writeKey and its Basic credential, in any form a server may echo, from what we report. */
  private readonly redact: (text: string) => string;
  private readonly drainMillis: number;

  constructor(private readonly options: TransportOptions) {
    if (options.dispatcher === undefined) {
      const undici = undiciParts();
      const pool = new undici.Pool(options.origin, { connections: options.connections, connect: connectSkippingContinue() });
      this.dispatcher = pool;
      this.request = (requestOptions) => undici.request.call(pool, requestOptions);
    } else {
      const dispatcher = options.dispatcher;
      this.dispatcher = dispatcher;
      this.request = (requestOptions) => dispatcher.request(requestOptions);
    }
    this.drainMillis = Math.min(MAX_DRAIN_MILLIS, Math.ceil(options.timeoutMillis / 4));
    const auth = authorization(options.writeKey);
    this.redact = auth.redact;
    this.headers = options.compression === 'gzip' ? { ...auth.headers, 'content-encoding': 'gzip' } : auth.headers;
  }

  async send(body: Buffer, signal: AbortSignal): Promise<TransportResult> {
    const deadline = new RequestDeadline(signal, this.options.timeoutMillis);
    try {
      const payload = this.options.compression === 'gzip' ? await gzip(body) : body;
      const response = await context.with(suppressTracing(context.active()), () =>
        this.request({
          origin: this.options.origin,
          path: this.options.requestPath,
          method: 'POST',
          // A copy: dispatchers such as ProxyAgent add to the headers they are given.
          headers: { ...this.headers },
          body: payload,
          signal: deadline.signal,
          // Our deadline above is the one that counts; undici's own timers would fire as early.
          headersTimeout: 0,
          bodyTimeout: 0,
        }),
      );
      const needsBody = response.statusCode < 200 || response.statusCode >= 300 || response.statusCode === 207;
      // The status decides; a body that breaks or stalls only loses the detail (and a 207, which ids it rejected).
      const read = needsBody ? await readCapped(response.body, response.statusCode === 207 ? LIMITS.maxPartialResponseBytes : LIMITS.maxResponseBytes, () => response.body.destroy()) : { text: '', complete: true };
      // A 2xx status line is the acknowledgement: a body that stalls afterwards must hold neither the
      // batch nor, for long, the connection that the next batch needs.
      if (!needsBody) this.drain(response.body);
      return classifyResponse({ status: response.statusCode, retryAfter: response.headers['retry-after'], body: this.redact(read.text), bodyComplete: read.complete }, Date.now());
    } catch (error) {
      // A dispatcher's error may quote the request (MockAgent quotes the body and headers it could not match).
      const cause = redactError(error, this.redact);
      if (!deadline.signal.aborted && isRefusedRequest(error)) {
        return { kind: 'failed', code: 'MR_ERR_DISPATCH_REFUSED', status: undefined, detail: `the dispatcher refused the request (${describeError(error)})`, cause };
      }
      const reason = deadline.reason(error);
      return { kind: 'retryable', reason, status: undefined, retryAfterMillis: undefined, cause };
    } finally {
      deadline.clear();
    }
  }

  /**
   * Reads and discards a 2xx body, giving up on it after `drainMillis`. A timer cleared when the body
   * ends, not `AbortSignal.timeout`: that one cannot be cleared, and would fire after every request
   * (an abort event and a DOMException, long after the body was read).
   */
  private drain(body: Dispatcher.ResponseData['body']): void {
    const timer = setTimeout(() => body.destroy(), this.drainMillis).unref();
    body
      .dump({ limit: LIMITS.maxResponseBytes })
      .catch(() => undefined)
      .finally(() => clearTimeout(timer));
  }

  /**
   * Closes our own pool at once (by then every batch was delivered or given up, so nothing of
   * value is in flight); a user's dispatcher stays open.
   */
  async close(): Promise<void> {
    if (this.options.dispatcher === undefined) await this.dispatcher.destroy();
  }
}
