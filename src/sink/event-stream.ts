import type { ServerResponse } from 'node:http';

/**
 * What a stream that opens behind the live edge still has to send, a piece at a time: each call
 * returns the next event, or undefined once the stream has caught up. It is asked for more only
 * as the client reads, so the backlog costs no more than the live stream does.
 */
export type Backlog = () => string | undefined;

/**
 * The debugger pages' server-sent event streams. Each event is serialized once for every client.
 * Bounded on both sides: at most `maxClients` streams (more are refused by the caller), and a
 * client that stops reading is dropped once `maxBufferedBytes` wait for it, so a stuck page cannot
 * make the sink hold an ever-growing buffer.
 *
 * Events published with an `id` are the numbered sequence a backlog replays: a client still
 * catching up does not get them live, its backlog reaches them in order. That holds only while a
 * sequence event is published in the same tick as its entries join what the backlog reads.
 */
export class EventStream {
  /** Each client, with the backlog it has still to send (undefined once live). */
  private readonly clients = new Map<ServerResponse, { backlog: Backlog | undefined }>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Streams dropped for not reading. */
  dropped = 0;

  constructor(
    private readonly maxClients: number,
    private readonly maxBufferedBytes: number,
  ) {
    // A comment line now and then lets a page (and any proxy) see a quiet stream is still alive.
    this.heartbeat = setInterval(() => this.write(': ping\n\n', false), 15_000).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Bytes written to the streams and not yet taken by their clients. */
  get bufferedBytes(): number {
    let bytes = 0;
    for (const client of this.clients.keys()) bytes += client.writableLength;
    return bytes;
  }

  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  /** Starts a stream on `response`: `first` at once, then `backlog` as the client reads, then live events. */
  open(response: ServerResponse, first: string, backlog?: Backlog): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    response.write(`retry: 1000\n\n${first}`);
    const client = { backlog };
    this.clients.set(response, client);
    response.once('close', () => this.clients.delete(response));
    this.pump(response, client);
  }

  /** One event as the wire carries it; `id` lets a reconnecting page resume after it. */
  static format(name: string, data: unknown, id?: number): string {
    return EventStream.formatJson(name, JSON.stringify(data), id);
  }

  /** {@link format} for data already serialized (one line of JSON). */
  static formatJson(name: string, json: string, id?: number): string {
    return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${json}\n\n`;
  }

  publish(name: string, data: unknown, id?: number): void {
    if (this.clients.size === 0) return;
    this.write(EventStream.format(name, data, id), id !== undefined);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients.keys()) client.destroy();
    this.clients.clear();
  }

  /** Writes backlog pieces until the socket asks to wait, and goes on when it drains. */
  private pump(response: ServerResponse, client: { backlog: Backlog | undefined }): void {
    while (client.backlog !== undefined && this.clients.has(response)) {
      const text = client.backlog();
      if (text === undefined) {
        client.backlog = undefined;
        return;
      }
      if (!response.write(text)) {
        response.once('drain', () => this.pump(response, client));
        return;
      }
    }
  }

  private write(text: string, sequenced: boolean): void {
    for (const [response, client] of this.clients) {
      if (sequenced && client.backlog !== undefined) continue;
      this.send(response, text);
    }
  }

  private send(client: ServerResponse, text: string): void {
    if (client.writableLength > this.maxBufferedBytes) {
      this.dropped++;
      this.clients.delete(client);
      client.destroy();
      return;
    }
    client.write(text);
  }
}
