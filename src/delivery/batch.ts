import { Buffer } from 'node:buffer';
import type { Message } from '../translate/message.js';

/** Bytes of `{"batch":[],"sentAt":"<24-character ISO time>","writeKey":}`, before the writeKey. */
const ENVELOPE_BYTES = '{"batch":[],"sentAt":"","writeKey":}'.length + '2026-01-01T00:00:00.000Z'.length;

/** Bytes a request body takes beyond its messages and the commas between them. */
export function envelopeBytes(writeKeyJson: string): number {
  return ENVELOPE_BYTES + Buffer.byteLength(writeKeyJson);
}

const HEAD = '{"batch":[';
const COMMA = 0x2c;

/**
 * The request body for a batch, each message's JSON written once into one buffer of the size the
 * byte counts give. Concatenating the texts and encoding the result costs about half as much again
 * (the joined string is flattened, then encoded in one more pass), on the loop that serves the app.
 */
export function batchBody(messages: readonly Message[], sentAt: Date, writeKeyJson: string): Buffer {
  const tail = `],"sentAt":"${sentAt.toISOString()}","writeKey":${writeKeyJson}}`;
  let bytes = HEAD.length + Buffer.byteLength(tail) + messages.length - 1;
  for (const message of messages) bytes += message.bytes;
  const body = Buffer.allocUnsafe(bytes);
  let at = body.write(HEAD, 0, 'latin1');
  for (let i = 0; i < messages.length; i++) {
    if (i > 0) body[at++] = COMMA;
    const message = messages[i]!;
    const written = body.write(message.json, at);
    // A byte count that is wrong (a message built by hand) would cut the text short: encode the whole instead.
    if (written !== message.bytes) return Buffer.from(HEAD + messages.map((each) => each.json).join(',') + tail);
    at += written;
  }
  body.write(tail, at);
  return body;
}

/** Messages that travel in one request, with its retry state and a promise settled when it is done. */
export class Batch {
  /** Requests made for this batch so far. */
  attempts = 0;
  /** When the first request for this batch started (epoch ms). */
  firstAttemptAt = 0;
  /** Whether the current wait is one the server asked for (Retry-After), which is kept. */
  serverAskedWait = false;
  /** Pending retry, while the batch waits out a backoff. */
  retryTimer: NodeJS.Timeout | undefined;
  /** Aborts the request in flight, if any. */
  abort: AbortController | undefined;
  /** With storage: its oldest records were evicted from a full spool; a failed answer drops it instead of retrying. */
  evicted = false;
  /** Set when the batch was given up at a close deadline: a late answer must change nothing. */
  abandoned = false;
  /** Delivered or given up (for a split batch: both halves). */
  settled = false;
  /** With storage: its retry budget is spent and it is retried from disk until delivered; `flush()` no longer waits for it. */
  outlasting = false;
  readonly done: Promise<void>;
  /** Settles with `done`, or earlier when the batch starts outlasting its retry budget. */
  readonly released: Promise<void>;
  private resolveDone!: () => void;
  private resolveReleased!: () => void;

  /**
   * @param splitFrom the batch this one is half of, after a 413: a flush waiting for that one waits for its halves.
   */
  constructor(
    readonly messages: readonly Message[],
    readonly splitFrom?: Batch,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.released = new Promise((resolve) => {
      this.resolveReleased = resolve;
    });
  }

  outlast(): void {
    this.outlasting = true;
    this.resolveReleased();
  }

  /** Bytes of the messages and the commas between them: the body less its envelope. */
  get messageBytes(): number {
    let bytes = this.messages.length - 1;
    for (const message of this.messages) bytes += message.bytes;
    return bytes;
  }

  get messageIds(): string[] {
    return this.messages.map((message) => message.messageId);
  }

  settle(): void {
    this.settled = true;
    this.resolveDone();
    this.resolveReleased();
  }
}
