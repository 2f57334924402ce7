import { createWriteStream, type WriteStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGunzip } from 'node:zlib';
import { formatMessage } from './format-message.js';

/** Options of {@link startSink}. */
export interface SinkOptions {
  /** Port to listen on; 0 picks a free one. @default 8088 */
  port?: number;
  /** Address to listen on. @default '127.0.0.1' */
  hostname?: string;
  /** Path of a file to append every received message to, one JSON object per line (NDJSON). */
  out?: string;
  /** Called with each message's readable line (the CLI prints it). */
  onLine?: (line: string) => void;
  /** Request bodies over this many bytes (after gunzip) get 413. @default 1048576 */
  maxBodyBytes?: number;
}

/** A running sink. */
export interface Sink {
  /** Base URL to use as `host`. */
  readonly url: string;
  readonly port: number;
  /** Every message received, in order. */
  readonly messages: Record<string, unknown>[];
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const source = request.headers['content-encoding'] === 'gzip' ? request.pipe(createGunzip()) : request;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answer(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * Starts a local MetaRouter-compatible ingestion endpoint (`POST /v1/batch`, gzip accepted) for
 * development and tests: it keeps every message, reports each as a readable line, and can append
 * them to an NDJSON file.
 */
export async function startSink(options: SinkOptions = {}): Promise<Sink> {
  const messages: Record<string, unknown>[] = [];
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const out: WriteStream | undefined = options.out === undefined ? undefined : createWriteStream(options.out, { flags: 'a' });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/batch') {
      return answer(response, 404, { error: 'POST /v1/batch only' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readBody(request, maxBodyBytes));
    } catch (error) {
      return error instanceof BodyTooLarge ? answer(response, 413, { error: 'body too large' }) : answer(response, 400, { error: 'body is not JSON' });
    }
    const batch = (parsed as { batch?: unknown } | null)?.batch;
    if (!Array.isArray(batch)) return answer(response, 400, { error: 'body has no batch array' });
    for (const message of batch as Record<string, unknown>[]) {
      messages.push(message);
      out?.write(`${JSON.stringify(message)}\n`);
      options.onLine?.(formatMessage(message));
    }
    answer(response, 200, { success: true });
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => answer(response, 500, { error: 'sink failure' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8088, options.hostname ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${(options.hostname ?? '127.0.0.1').includes(':') ? `[${options.hostname}]` : (options.hostname ?? '127.0.0.1')}:${port}`,
    port,
    messages,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (out !== undefined) await new Promise<void>((resolve) => out.end(resolve));
    },
  };
}
