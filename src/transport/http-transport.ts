import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { context } from '@opentelemetry/api';
import { Pool, type Dispatcher } from 'undici';
import { LIMITS } from '../config/defaults.js';
import { redactError, secretRedactor } from '../errors/redact-secrets.js';
import { LIBRARY } from '../version.js';
import { describeError, readCapped } from './answer-body.js';
import { classifyResponse } from './classify-response.js';
import { isRefusedRequest } from './refused-request.js';
import { connectSkippingContinue } from './skip-continue.js';
import { suppressTracing } from './suppress-tracing.js';
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
  private readonly headers: Readonly<Record<string, string>>;
  /** Removes the writeKey and its Basic credential, in any form a server may echo, from what we report. */
  private readonly redact: (text: string) => string;
  private readonly drainMillis: number;

  constructor(private readonly options: TransportOptions) {
    this.dispatcher = options.dispatcher ?? new Pool(options.origin, { connections: options.connections, connect: connectSkippingContinue() });
    this.drainMillis = Math.min(MAX_DRAIN_MILLIS, Math.ceil(options.timeoutMillis / 4));
    const credential = Buffer.from(`${options.writeKey}:`).toString('base64');
    this.redact = secretRedactor([credential, options.writeKey]);
    this.headers = {
      'content-type': 'application/json',
      authorization: `Basic ${credential}`,
      'user-agent': `${LIBRARY.name}/${LIBRARY.version}`,
      ...(options.compression === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
  }

  async send(body: Buffer, signal: AbortSignal): Promise<TransportResult> {
    // One controller, aborted by the caller's signal or by our deadline: AbortSignal.any would cost
    // about four times as much a request (a third signal, weak references to both sources).
    const deadline = new AbortController();
    const abort = () => deadline.abort();
    signal.addEventListener('abort', abort);
    if (signal.aborted) abort();
    let timedOut = false;
    // The deadline acts one turn late, after the poll phase: when our own process was busy past the
    // deadline, an answer that arrived meanwhile is read first, instead of the batch being resent
    // (a duplicate) only because we had not looked yet.
    const timer = setTimeout(() => {
      setImmediate(() => {
        timedOut = true;
        abort();
      });
    }, this.options.timeoutMillis).unref();
    try {
      const payload = this.options.compression === 'gzip' ? await gzip(body) : body;
      const response = await context.with(suppressTracing(context.active()), () =>
        this.dispatcher.request({
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
      const reason = timedOut && !signal.aborted ? 'request timed out' : describeError(error);
      return { kind: 'retryable', reason, status: undefined, retryAfterMillis: undefined, cause };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
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
