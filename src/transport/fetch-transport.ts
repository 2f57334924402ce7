import { context } from '@opentelemetry/api';
import { LIMITS } from '../config/defaults.js';
import { redactError } from '../errors/redact-secrets.js';
import { readCapped, type BodyText } from './answer-body.js';
import { classifyResponse } from './classify-response.js';
import { authorization, RequestDeadline } from './request-deadline.js';
import { suppressTracing } from './suppress-tracing.js';
import { inRequestScopedRuntime } from '../runtime/request-scoped.js';
import type { Transport, TransportOptions, TransportResult } from './transport-result.js';
import { unrefTimer } from '../runtime/timers.js';

/** As in the undici transport: how long the unread rest of a 2xx answer may take before it is cancelled. */
const MAX_DRAIN_MILLIS = 1000;

/** Reads at most `limit` bytes of a web stream body (`readCapped` over its reader). */
function readBody(body: ReadableStream<Uint8Array> | null, limit: number): Promise<BodyText> {
  if (body === null) return Promise.resolve({ text: '', complete: true });
  const reader = body.getReader();
  const chunks = async function* (): AsyncIterable<Uint8Array> {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  };
  return readCapped(chunks(), limit, () => void reader.cancel().catch(() => undefined));
}

/** Gzips with the runtime's CompressionStream, or returns undefined where it has none. */
async function gzipped(body: Buffer): Promise<Uint8Array | undefined> {
  if (typeof CompressionStream !== 'function') return undefined;
  const stream = new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Posts request bodies with the runtime's global `fetch`, for runtimes where undici is not the
 * right client (Bun replaces the `undici` package with a module whose `Pool` does not send). Same
 * contract as the undici transport: a deadline per request, requests sent under `suppressTracing`,
 * answers classified by {@link classifyResponse}, never a throw.
 */
export class FetchTransport implements Transport {
  readonly requestScoped = inRequestScopedRuntime();
  private readonly headers: Readonly<Record<string, string>>;
  private readonly url: string;
  /** Removes the writeKey and its Basic credential, in any form a server may echo, from what we report. */
  private readonly redact: (text: string) => string;
  private readonly drainMillis: number;

  constructor(private readonly options: Pick<TransportOptions, 'origin' | 'requestPath' | 'writeKey' | 'timeoutMillis' | 'compression'>) {
    this.url = new URL(options.requestPath, options.origin).href;
    this.drainMillis = Math.min(MAX_DRAIN_MILLIS, Math.ceil(options.timeoutMillis / 4));
    const auth = authorization(options.writeKey);
    this.redact = auth.redact;
    this.headers = auth.headers;
  }

  async send(body: Buffer, signal: AbortSignal): Promise<TransportResult> {
    const deadline = new RequestDeadline(signal, this.options.timeoutMillis);
    try {
      const compressed = this.options.compression === 'gzip' ? await gzipped(body) : undefined;
      const headers = compressed === undefined ? this.headers : { ...this.headers, 'content-encoding': 'gzip' };
      const response = await context.with(suppressTracing(context.active()), () =>
        fetch(this.url, {
          method: 'POST',
          headers,
          body: compressed ?? body,
          signal: deadline.signal,
          // Like undici's request: a redirect is an answer to classify, never a second POST of the batch elsewhere.
          redirect: 'manual',
        }),
      );
      const status = response.status;
      const needsBody = status < 200 || status >= 300 || status === 207;
      const read = needsBody ? await readBody(response.body, status === 207 ? LIMITS.maxPartialResponseBytes : LIMITS.maxResponseBytes) : { text: '', complete: true };
      if (!needsBody) this.drain(response.body);
      return classifyResponse({ status, retryAfter: response.headers.get('retry-after') ?? undefined, body: this.redact(read.text), bodyComplete: read.complete }, Date.now());
    } catch (error) {
      const cause = redactError(error, this.redact);
      const reason = deadline.reason(error);
      return { kind: 'retryable', reason, status: undefined, retryAfterMillis: undefined, cause };
    } finally {
      deadline.clear();
    }
  }

  /** Reads and discards a 2xx body so its connection can be reused, cancelling it after `drainMillis`. */
  private drain(body: ReadableStream<Uint8Array> | null): void {
    if (body === null) return;
    const reader = body.getReader();
    const timer = setTimeout(() => reader.cancel().catch(() => undefined), this.drainMillis);
    unrefTimer(timer);
    const next = (read: number): Promise<void> =>
      reader.read().then(({ done, value }) => {
        if (done) return;
        if (read + value.length > LIMITS.maxResponseBytes) return reader.cancel();
        return next(read + value.length);
      });
    next(0)
      .catch(() => undefined)
      .finally(() => clearTimeout(timer));
  }

  /** Nothing to release: the runtime owns fetch's connections. */
  async close(): Promise<void> {}
}
