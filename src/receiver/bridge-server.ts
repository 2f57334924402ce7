import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { OtlpShapeError } from './otlp/read-otlp-value.js';
import { readThrown } from '../errors/metarouter-error.js';
import type { BridgeCounters, ExportHandler } from './export-handler.js';
import { decodeRequest, encodeResponse, encodeStatus, encodingOf, mediaTypeOf, type Encoding, type Signal } from './otlp-codec.js';
import { BodyError, contentCoding, readBody } from './read-body.js';

/** What the HTTP side needs besides the export handler. */
export interface ServerSettings {
  readonly maxBodyBytes: number;
  readonly retryAfterSeconds: number;
  readonly authorized: (authorization: string | undefined) => boolean;
  /** False while what the bridge depends on cannot serve (a shared queue's database): `/readyz` answers 503. */
  readonly ready?: () => boolean;
}

const EXPORT_PATHS: Readonly<Record<string, Signal>> = Object.freeze({ '/v1/logs': 'logs', '/v1/traces': 'traces' });

/**
 * The bridge's HTTP side: `POST /v1/logs` and `POST /v1/traces` (OTLP/HTTP, protobuf or JSON,
 * gzip or not), `GET /healthz` and `GET /readyz`. It answers as the OTLP specification and the
 * Collector's receiver do, and knows nothing of what the export handler does with a request.
 */
export class BridgeServer {
  readonly http: Server;
  private draining = false;
  private active = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly settings: ServerSettings,
    private readonly handler: ExportHandler,
    private readonly counters: BridgeCounters,
  ) {
    this.http = createServer((request, response) => {
      this.route(request, response).catch(() => {
        // A fault of ours, not of the request: answered, never thrown into the server.
        if (!response.headersSent) this.reply(response, 500, 'json', encodeStatus('json', 'internal error'));
      });
    });
  }

  /** From now on: not ready, and export requests are answered 503 with Retry-After. */
  drain(): void {
    this.draining = true;
  }

  /** Resolves once no export request is being handled. */
  whenIdle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0]!;
    if (path === '/healthz' || path === '/readyz') {
      if (request.method !== 'GET' && request.method !== 'HEAD') return this.reply(response, 405, 'json', encodeStatus('json', 'use GET'), { allow: 'GET, HEAD' });
      const status = path === '/healthz' ? 'ok' : this.draining ? 'draining' : this.settings.ready?.() === false ? 'queue unavailable' : 'ok';
      return this.reply(response, status === 'ok' ? 200 : 503, 'json', JSON.stringify({ status }));
    }
    // Before anything else: without the token, no answer tells which paths and methods exist.
    if (!this.settings.authorized(request.headers.authorization)) {
      if (EXPORT_PATHS[path] !== undefined && request.method === 'POST') this.counters.requests++;
      const answer = encodingOf(request.headers['content-type']) ?? 'json';
      return this.reply(response, 401, answer, encodeStatus(answer, 'a valid Authorization: Bearer token is required'), { 'www-authenticate': 'Bearer' });
    }
    const signal = EXPORT_PATHS[path];
    if (signal !== undefined) return this.tracked(response, () => this.export(signal, request, response));
    this.reply(response, 404, 'json', encodeStatus('json', 'not found: OTLP/HTTP is served at POST /v1/logs and POST /v1/traces'));
  }

  private async tracked(response: ServerResponse, work: () => Promise<void>): Promise<void> {
    this.active++;
    response.once('close', () => {
      if (--this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    return work();
  }

  private async export(signal: Signal, request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST') return this.reply(response, 405, 'json', encodeStatus('json', 'use POST'), { allow: 'POST' });
    this.counters.requests++;
    const encoding = encodingOf(request.headers['content-type']);
    const answer = encoding ?? 'json';
    if (encoding === undefined) {
      return this.reply(response, 415, answer, encodeStatus(answer, 'Content-Type must be application/x-protobuf or application/json'));
    }
    const coding = contentCoding(request.headers['content-encoding']);
    if (coding === undefined) return this.reply(response, 415, encoding, encodeStatus(encoding, 'Content-Encoding must be gzip or none'));
    if (this.draining) return this.retryLater(response, encoding, 'the bridge is shutting down');
    let body: Buffer;
    try {
      body = await readBody(request, coding, this.settings.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      if (error.reason === 'aborted') return void response.destroy();
      if (error.reason === 'undecodable') return this.reply(response, 400, encoding, encodeStatus(encoding, 'the gzip body cannot be decompressed'));
      const message = `the body is over ${this.settings.maxBodyBytes} bytes (after decompression)`;
      return this.reply(response, 413, encoding, encodeStatus(encoding, message), { connection: 'close' });
    }
    let decoded: unknown;
    let handled: ReturnType<ExportHandler['handle']>;
    try {
      decoded = decodeRequest(signal, encoding, body);
      handled = this.handler.handle(signal, decoded, Date.now());
    } catch (error) {
      // Anything the decoder throws means a malformed body; from the readers, only OtlpShapeError does.
      if (decoded !== undefined && !(error instanceof OtlpShapeError)) throw error;
      return this.reply(response, 400, encoding, encodeStatus(encoding, `the body is not an OTLP ${signal} export request: ${readThrown(error).text}`));
    }
    // Only a shared queue answers later (after its commit): the in-memory path stays synchronous.
    const outcome = handled instanceof Promise ? await handled : handled;
    switch (outcome.kind) {
      case 'unavailable':
        return this.retryLater(response, encoding, 'the queue database is unavailable');
      case 'busy':
        return this.retryLater(response, encoding, 'the delivery queue is full');
      case 'too-many':
        return this.reply(response, 413, encoding, encodeStatus(encoding, `the request holds ${outcome.events} analytics events, more than the delivery queue holds (maxQueueSize): send smaller batches`));
      case 'accepted':
        return this.reply(response, 200, encoding, encodeResponse(signal, encoding, outcome.partial));
    }
  }

  private retryLater(response: ServerResponse, encoding: Encoding, why: string): void {
    const seconds = this.settings.retryAfterSeconds;
    this.reply(response, 503, encoding, encodeStatus(encoding, `${why}; retry in ${seconds} s`), { 'retry-after': String(seconds) });
  }

  private reply(response: ServerResponse, status: number, encoding: Encoding, body: Uint8Array | string, headers: OutgoingHttpHeaders = {}): void {
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    response.writeHead(status, {
      'content-type': mediaTypeOf(encoding),
      'content-length': length,
      ...(this.draining ? { connection: 'close' } : {}),
      ...headers,
    });
    response.end(body);
  }
}
