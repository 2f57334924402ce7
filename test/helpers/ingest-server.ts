import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';

/** One request as the server saw it. */
export interface Received {
  readonly index: number;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Raw body bytes as sent (still gzipped when the client compressed). */
  readonly bytes: number;
  /** Parsed JSON body (after gunzip). */
  readonly body: { batch: Record<string, unknown>[]; sentAt: string; writeKey: string };
  readonly messageIds: string[];
}

/** What the server does with one request. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Destroy the socket after reading the body, without answering. */
  | 'reset'
  /** Read the body, then never answer. */
  | 'stall';

export type Script = (request: Received) => Reply | Promise<Reply>;

export interface IngestServer {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: Received[];
  /** Messages of requests answered 2xx, in order. */
  readonly accepted: Record<string, unknown>[];
  /** Resolves once `count` messages were accepted; rejects after `timeoutMillis`. */
  waitForAccepted(count: number, timeoutMillis?: number): Promise<void>;
  close(): Promise<void>;
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real node:http ingestion endpoint on 127.0.0.1, port 0, whose answer to each request is
 * scripted (default: 200). It records every request and the messages it accepted.
 */
export async function startIngestServer(script: Script = () => ({ status: 200 })): Promise<IngestServer> {
  const requests: Received[] = [];
  const accepted: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readAll(request);
    const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    const body = JSON.parse(text) as Received['body'];
    const received: Received = {
      index: requests.length,
      url: request.url ?? '',
      headers: request.headers,
      bytes: raw.length,
      body,
      messageIds: body.batch.map((message) => String(message.messageId)),
    };
    requests.push(received);
    const reply = await script(received);
    if (reply === 'reset') return void request.socket.destroy();
    if (reply === 'stall') return;
    if (reply.status >= 200 && reply.status < 300) {
      accepted.push(...body.batch);
      for (const wake of waiters.splice(0)) wake();
    }
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '{}');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted,
    async waitForAccepted(count, timeoutMillis = 5000) {
      const deadline = Date.now() + timeoutMillis;
      while (accepted.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`waited ${timeoutMillis} ms for ${count} messages; got ${accepted.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The message the server accepted under this messageId; fails unless exactly one arrived. */
export function arrivedOnce(server: IngestServer, messageId: string): Record<string, unknown> {
  const found = server.accepted.filter((message) => message.messageId === messageId);
  assert.equal(found.length, 1, `message ${messageId} arrived exactly once`);
  return found[0]!;
}
