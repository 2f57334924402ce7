import type { Socket } from 'node:net';
import type { buildConnector } from 'undici';
import { undiciParts } from './undici-parts.js';

const EMPTY = Buffer.alloc(0);
/** `HTTP/1.x 100` and the space or CR after it: enough to tell a 100 from any other status line. */
const CONTINUE_PREFIXES = [Buffer.from('HTTP/1.1 100'), Buffer.from('HTTP/1.0 100')];
const DECISIVE_LENGTH = CONTINUE_PREFIXES[0]!.length + 1;
const HEAD_END = Buffer.from('\r\n\r\n');
/** What undici writes first for each request on HTTP/1.1: its request line. */
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.1\r\n/;

function couldBeContinue(data: Buffer): boolean {
  const length = Math.min(data.length, DECISIVE_LENGTH - 1);
  if (!CONTINUE_PREFIXES.some((prefix) => data.subarray(0, length).equals(prefix.subarray(0, length)))) return false;
  return data.length < DECISIVE_LENGTH || data[DECISIVE_LENGTH - 1] === 0x20 || data[DECISIVE_LENGTH - 1] === 0x0d;
}

/**
 * Removes `100 Continue` interim responses from the bytes a connection receives, where a response
 * starts. RFC 9110 (15.2) has clients parse and ignore an unsolicited 100, but undici's HTTP/1.1
 * parser destroys the socket on one (it supports other 1xx), so the batch would be resent while
 * the server already has it. Everything else passes through unchanged, without copying.
 */
export class ContinueFilter {
  private state: 'body' | 'start' | 'skip' = 'start';
  private pending: Buffer = EMPTY;
  /** Bytes of `\r\n\r\n` matched at the end of what was skipped so far. */
  private matched = 0;

  /** A request was written: the next bytes received start its response. */
  expectResponse(): void {
    this.state = 'start';
    this.pending = EMPTY;
  }

  /** The bytes of `chunk` to hand to the HTTP parser, possibly none. */
  push(chunk: Buffer): Buffer {
    if (this.state === 'body') return chunk;
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = EMPTY;
    while (data.length > 0) {
      if (this.state === 'start') {
        if (!couldBeContinue(data)) {
          this.state = 'body';
          return data;
        }
        if (data.length < DECISIVE_LENGTH) {
          this.pending = data;
          return EMPTY;
        }
        this.state = 'skip';
        this.matched = 0;
      }
      const end = this.headEnd(data);
      if (end === -1) return EMPTY;
      this.state = 'start';
      data = data.subarray(end);
    }
    return EMPTY;
  }

  /** The index just past the `\r\n\r\n` that ends the skipped head, or -1 when `data` does not hold it. */
  private headEnd(data: Buffer): number {
    for (let i = 0; i < data.length; i++) {
      if (data[i] === HEAD_END[this.matched]) {
        if (++this.matched === HEAD_END.length) return i + 1;
      } else {
        this.matched = data[i] === HEAD_END[0] ? 1 : 0;
      }
    }
    return -1;
  }
}

/** Routes what the socket receives through a {@link ContinueFilter}, reset by each request it sends. */
function filterSocket(socket: Socket): void {
  const filter = new ContinueFilter();
  const read = socket.read.bind(socket);
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  // undici reads a connection with read() (paused mode) and writes each request line as a string.
  socket.read = (size?: number): Buffer | null => {
    for (;;) {
      const chunk = read(size) as Buffer | null;
      if (chunk === null) return null;
      const kept = filter.push(chunk);
      if (kept.length > 0) return kept;
    }
  };
  socket.write = ((chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk === 'string' && REQUEST_LINE.test(chunk)) filter.expectResponse();
    return write(chunk, ...rest);
  }) as Socket['write'];
}

/** undici's own connector, with every connection it makes skipping unsolicited `100 Continue` answers. */
export function connectSkippingContinue(): buildConnector.connector {
  const connect = undiciParts().buildConnector({});
  return (options, callback) => {
    connect(options, (...args) => {
      if (args[0] === null) filterSocket(args[1]);
      callback(...args);
    });
  };
}
