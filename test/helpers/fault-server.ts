import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * What the server does with one request. Every fault that answers with a status line says which,
 * so that the record can tell what the server ingested (a 2xx status line was sent) from what the
 * client could know was acknowledged (the whole 2xx response was written).
 */
export type Fault =
  /** Read the body, answer `status` with `headers` and `body`. */
  | { readonly kind: 'reply'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  /** Destroy the connection as soon as the request head arrives, without reading the body. */
  | { readonly kind: 'reset-before-body' }
  /** Read the whole body, then destroy the connection without answering. */
  | { readonly kind: 'reset-after-body' }
  /** Read the body and never answer. */
  | { readonly kind: 'stall' }
  /** Read the body, send the status line and headers (with a content-length), then never send the body. */
  | { readonly kind: 'headers-then-stall'; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** Read the body, then drip `body` in `chunkBytes` pieces every `intervalMillis`. */
  | { readonly kind: 'slow-body'; readonly status: number; readonly body: string; readonly chunkBytes: number; readonly intervalMillis: number }
  /** Read the body, announce `body` with its content-length, write its first half, destroy the connection. */
  | { readonly kind: 'close-mid-response'; readonly status: number; readonly body: string }
  /** Read the body, then stream `bytes` bytes of JSON-ish filler, honouring backpressure, until done or the client hangs up. */
  | { readonly kind: 'huge-body'; readonly status: number; readonly bytes: number; readonly headers?: Readonly<Record<string, string>> };

/** One request as the server saw it. */
export interface FaultRequest {
  readonly index: number;
  /** Epoch ms when the request head arrived. */
  readonly receivedAt: number;
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** False when the fault reset the connection before the body was read. */
  bodyRead: boolean;
  /** Body bytes as they came (gzipped when the client compressed). */
  rawBytes: number;
  /** The body text after gunzip, when read. */
  text: string | undefined;
  /** The parsed body, when it was JSON. */
  body: { batch: Array<Record<string, unknown>>; sentAt: string; writeKey: string } | undefined;
  /** Why the body could not be read as JSON (gunzip or parse), when it could not. */
  parseError: string | undefined;
  /** messageIds of the batch, in order ([] when the body was not read). */
  messageIds: string[];
  /** The fault applied. */
  fault: Fault | undefined;
  /** Status line sent, if any. */
  status: number | undefined;
  /** messageIds a 207 answer named as rejected. */
  rejectedIds: string[];
  /** True once a 2xx response was completely written: the client could know it was accepted. */
  acknowledged: boolean;
  /** Response body bytes the server wrote. */
  responseBytes: number;
  /** Reads and parses the body (once); a script awaits it to choose by messageIds. */
  readBody(): Promise<FaultRequest>;
}

/**
 * Chooses the fault for each request. It is called when the request head arrives, before the body
 * is read (so that a reset can come before it); an async script may `await request.readBody()` to
 * choose by messageIds.
 */
export type FaultScript = (request: FaultRequest) => Fault | Promise<Fault>;

export interface FaultServer {
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: FaultRequest[];
  /** The script answering the next requests; replace it to change behaviour mid-test. */
  script: FaultScript;
  /** messageIds the server ingested: from requests answered with a 2xx status line, less those a 207 rejected; with repetitions, in order. */
  ingestedIds(): string[];
  /** messageIds of requests whose 2xx response was completely written, less those a 207 rejected. */
  acknowledgedIds(): string[];
  /** Resolves once `count` requests arrived; rejects after `timeoutMillis`. */
  waitForRequests(count: number, timeoutMillis?: number): Promise<void>;
  /** Stops listening and cuts every connection: the port now refuses connections. */
  stop(): Promise<void>;
  /** Listens again on the same port number (the server is back after an outage). */
  restart(): Promise<void>;
  /** Stops for good: timers cleared, connections cut. */
  close(): Promise<void>;
}

/** The plain answer `status`. */
export function reply(status: number, options: { headers?: Record<string, string>; body?: string } = {}): Fault {
  return { kind: 'reply', status, ...options };
}

/** `status` with a Retry-After header: whole seconds for a number, an HTTP-date (IMF-fixdate) for a Date. */
export function retryAfter(status: number, after: number | Date | string): Fault {
  const value = typeof after === 'number' ? String(after) : after instanceof Date ? after.toUTCString() : after;
  return reply(status, { headers: { 'retry-after': value } });
}

/** A 207 naming `ids` as rejected in an `Errors` array. */
export function partial(ids: readonly string[], error = 'invalid message'): Fault {
  return reply(207, { body: JSON.stringify({ Errors: ids.map((messageId) => ({ messageId, error })) }) });
}

export const OK: Fault = Object.freeze({ kind: 'reply', status: 200 });

/** A script giving `faults` to the first requests, in order, then `then` to every later one. */
export function sequence(faults: readonly Fault[], then: Fault = OK): FaultScript {
  return (request) => faults[request.index] ?? then;
}

/** A URL on which nothing listens: a port that was free a moment ago. */
export async function refusedUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(record: FaultRequest, raw: Buffer): void {
  record.rawBytes = raw.length;
  try {
    record.text = (record.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    record.body = JSON.parse(record.text) as FaultRequest['body'];
    record.messageIds = (record.body?.batch ?? []).map((message) => String(message.messageId));
  } catch (error) {
    record.parseError = error instanceof Error ? error.message : String(error);
  }
}

function rejectedOf(body: string | undefined): string[] {
  try {
    const parsed = JSON.parse(body ?? '') as { Errors?: Array<{ messageId?: unknown }> };
    return (parsed.Errors ?? []).map((item) => String(item.messageId));
  } catch {
    return [];
  }
}

/** Writes `bytes` bytes of filler to `response`, waiting for `drain`, until done or the connection closes. */
async function stream(response: ServerResponse, record: FaultRequest, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let closed = false;
  let wake: (() => void) | undefined;
  response.once('close', () => {
    closed = true;
    wake?.();
  });
  while (record.responseBytes < bytes && !closed) {
    const piece = chunk.subarray(0, Math.min(chunk.length, bytes - record.responseBytes));
    record.responseBytes += piece.length;
    if (!response.write(piece)) {
      await new Promise<void>((resolve) => {
        const drained = (): void => resolve();
        wake = () => {
          response.off('drain', drained);
          resolve();
        };
        response.once('drain', drained);
      });
    }
  }
  if (!closed) response.end();
}

/**
 * A real node:http ingestion endpoint on 127.0.0.1 (port 0) whose behaviour per request is
 * scripted by {@link Fault}s, for proving what the client does on the worst day. It records every
 * request, the messageIds it carried, what status it got and whether the answer was complete.
 */
export async function startFaultServer(script: FaultScript = () => OK): Promise<FaultServer> {
  const requests: FaultRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  let port = 0;
  let server: Server;

  async function apply(fault: Fault, record: FaultRequest, request: IncomingMessage, response: ServerResponse): Promise<void> {
    record.fault = fault;
    if (fault.kind === 'reset-before-body') return void request.socket.destroy();
    await record.readBody();
    if (fault.kind === 'reset-after-body') return void request.socket.destroy();
    if (fault.kind === 'stall') return;
    record.status = fault.status;
    const is2xx = fault.status >= 200 && fault.status < 300;
    response.once('finish', () => (record.acknowledged = is2xx));
    switch (fault.kind) {
      case 'reply': {
        const body = fault.body ?? '{}';
        if (fault.status === 207) record.rejectedIds = rejectedOf(body);
        record.responseBytes = Buffer.byteLength(body);
        response.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers }).end(body);
        return;
      }
      case 'headers-then-stall':
        response.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': '1000', ...fault.headers });
        response.flushHeaders();
        return;
      case 'close-mid-response': {
        const bytes = Buffer.from(fault.body);
        response.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
        record.responseBytes = Math.floor(bytes.length / 2);
        response.write(bytes.subarray(0, record.responseBytes), () => request.socket.destroy());
        return;
      }
      case 'slow-body': {
        const bytes = Buffer.from(fault.body);
        response.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
        const drip = (): void => {
          if (response.destroyed) return;
          const piece = bytes.subarray(record.responseBytes, record.responseBytes + fault.chunkBytes);
          record.responseBytes += piece.length;
          if (record.responseBytes >= bytes.length) return void response.end(piece);
          response.write(piece);
          const timer = setTimeout(() => {
            timers.delete(timer);
            drip();
          }, fault.intervalMillis);
          timers.add(timer);
        };
        drip();
        return;
      }
      case 'huge-body':
        response.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': String(fault.bytes), ...fault.headers });
        return stream(response, record, fault.bytes);
    }
  }

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const record: FaultRequest = {
      index: requests.length,
      receivedAt: Date.now(),
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      bodyRead: false,
      rawBytes: 0,
      text: undefined,
      body: undefined,
      parseError: undefined,
      messageIds: [],
      fault: undefined,
      status: undefined,
      rejectedIds: [],
      acknowledged: false,
      responseBytes: 0,
      readBody() {
        reading ??= readAll(request).then((raw) => {
          record.bodyRead = true;
          parseBody(record, raw);
          return record;
        });
        return reading;
      },
    };
    let reading: Promise<FaultRequest> | undefined;
    requests.push(record);
    for (const wake of waiters) wake();
    void (async () => apply(await faults.script(record), record, request, response))().catch(() => request.socket.destroy());
  }

  function listen(): Promise<void> {
    server = createServer(handle);
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    return new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve())).then(() => {
      port = (server.address() as AddressInfo).port;
    });
  }

  async function stop(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  await listen();
  const faults: FaultServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    script,
    ingestedIds() {
      return requests.flatMap((r) => (r.status !== undefined && r.status >= 200 && r.status < 300 ? r.messageIds.filter((id) => !r.rejectedIds.includes(id)) : []));
    },
    acknowledgedIds() {
      return requests.flatMap((r) => (r.acknowledged ? r.messageIds.filter((id) => !r.rejectedIds.includes(id)) : []));
    },
    async waitForRequests(count, timeoutMillis = 5000) {
      const deadline = Date.now() + timeoutMillis;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`waited ${timeoutMillis} ms for ${count} requests; got ${requests.length}`);
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            waiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
    stop,
    restart: listen,
    close: stop,
  };
  return faults;
}
