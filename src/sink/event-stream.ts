import type { ServerResponse } from 'node:http';

/**
 * The debugger pages' server-sent event streams. Each event is serialized once for every client.
 * Bounded on both sides: at most `maxClients` streams (more are refused by the caller), and a
 * client that stops reading is dropped once `maxBufferedBytes` wait for it, so a stuck page cannot
 * make the sink hold an ever-growing buffer.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;
  /** Streams dropped for not reading. */
  dropped = 0;

  constructor(
    private readonly maxClients: number,
    private readonly maxBufferedBytes: number,
  ) {
    // A comment line now and then lets a page (and any proxy) see a quiet stream is still alive.
    this.heartbeat = setInterval(() => this.write(': ping\n\n'), 15_000).unref();
  }

  get size(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= this.maxClients;
  }

  /** Starts a stream on `response`; `backlog` is written first (events the page has not seen). */
  open(response: ServerResponse, backlog: readonly string[]): void {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    response.write('retry: 1000\n\n');
    this.clients.add(response);
    response.once('close', () => this.clients.delete(response));
    for (const event of backlog) this.send(response, event);
  }

  /** One event as the wire carries it; `id` lets a reconnecting page resume after it. */
  static format(name: string, data: unknown, id?: number): string {
    return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  publish(name: string, data: unknown, id?: number): void {
    if (this.clients.size === 0) return;
    this.write(EventStream.format(name, data, id));
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.destroy();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) this.send(client, text);
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
