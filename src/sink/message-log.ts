import type { Problem, ProblemCheck } from './find-problems.js';
import { maskWriteKey } from './mask-write-key.js';

/** The facts of the request a message came in, shared by the messages of one batch. */
export interface RequestFacts {
  readonly id: number;
  readonly receivedAt: string;
  /** Messages in the batch. */
  readonly count: number;
  /** Body bytes as they came over the wire. */
  readonly bytes: number;
  readonly gzip: boolean;
  /** The batch's `sentAt`, as sent. */
  readonly sentAt: unknown;
  /** Receipt time minus `sentAt`, when `sentAt` is a date: the client's clock skew plus the transit. */
  readonly skewMillis: number | undefined;
  /** The writeKey, masked; where it came from is in `writeKeySource`. */
  readonly writeKey: string | undefined;
  readonly writeKeySource: 'body' | 'basic auth' | undefined;
}

/** One received message as the debugger shows it. */
export interface Entry {
  /** Order of arrival, from 1; never reused, so a page can ask for what came after the last it saw. */
  readonly seq: number;
  readonly receivedAt: string;
  /** The message as received, except a `writeKey` field, which is masked: the page shows it and may be shared. */
  readonly message: Record<string, unknown>;
  /** UTF-8 bytes of the message's JSON, as received. */
  readonly bytes: number;
  readonly problems: readonly Problem[];
  readonly request: RequestFacts;
}

/**
 * The bounded history of received messages. Keeps at most `maxEntries`, the oldest going first;
 * counts each kept messageId, so a second message with the same id is marked as a duplicate while
 * the first is still kept.
 */
export class MessageLog {
  private entries: Entry[] = [];
  /** The messages exactly as received, in step with `entries`. */
  private originals: Record<string, unknown>[] = [];
  private nextSeq = 1;
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly maxEntries: number,
    private readonly checks: readonly ProblemCheck[],
  ) {}

  /** Records one accepted batch; returns its entries. */
  add(messages: readonly Record<string, unknown>[], request: RequestFacts): Entry[] {
    const added = messages.map((message) => {
      const json = JSON.stringify(message);
      const problems = this.checks.flatMap((check) => check(message, json));
      if (typeof message.messageId === 'string') {
        const times = (this.seen.get(message.messageId) ?? 0) + 1;
        this.seen.set(message.messageId, times);
        if (times > 1) problems.push({ source: 'duplicate', code: 'DUPLICATE_MESSAGE_ID', path: 'messageId', message: `messageId received ${times} times` });
      }
      const shown = typeof message.writeKey === 'string' ? { ...message, writeKey: maskWriteKey(message.writeKey) } : message;
      return { seq: this.nextSeq++, receivedAt: request.receivedAt, message: shown, bytes: Buffer.byteLength(json), problems, request };
    });
    this.entries.push(...added);
    this.originals.push(...messages);
    if (this.entries.length > this.maxEntries) {
      const excess = this.entries.length - this.maxEntries;
      this.entries.splice(0, excess);
      this.forget(this.originals.splice(0, excess));
    }
    return added;
  }

  /** The kept entries, oldest first, after `afterSeq` when given. */
  list(afterSeq = 0): readonly Entry[] {
    if (afterSeq <= 0) return this.entries;
    const first = this.entries.findIndex((entry) => entry.seq > afterSeq);
    return first === -1 ? [] : this.entries.slice(first);
  }

  /** The kept messages exactly as received, oldest first. */
  messages(): Record<string, unknown>[] {
    return this.originals.slice();
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private forget(dropped: readonly Record<string, unknown>[]): void {
    for (const message of dropped) {
      if (typeof message.messageId !== 'string') continue;
      const times = (this.seen.get(message.messageId) ?? 1) - 1;
      if (times <= 0) this.seen.delete(message.messageId);
      else this.seen.set(message.messageId, times);
    }
  }
}
