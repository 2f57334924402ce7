import { appendFileSync, closeSync, fchmodSync, fstatSync, openSync } from 'node:fs';
import { DeliveryError, readThrown } from '../errors/metarouter-error.js';
import type { Message } from '../translate/message.js';
import { encodeDeadLetters } from './format.js';

/**
 * The dead-letter file: messages given up for good are appended (layout: `format.ts`), so `metarouter-otel replay` can send them again with their
 * messageIds. Written only on give-ups, never on the call path. Each line holds the writeKey: the
 * file is kept owner-only.
 */
export class DeadLetters {
  /** Opens `file` for appending once, so that a path that cannot serve fails at construction. Throws the file-system error. */
  constructor(
    private readonly file: string,
    private readonly report: (error: DeliveryError) => void,
  ) {
    const fd = openSync(file, 'a', 0o600);
    try {
      // Each line holds the writeKey: a file that already existed readable by others is narrowed to its owner.
      if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
  }

  keep(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    try {
      appendFileSync(this.file, encodeDeadLetters(messages.map((message) => message.json)), { mode: 0o600 });
    } catch (error) {
      const ids = messages.map((message) => message.messageId);
      this.report(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not append ${ids.length} given-up messages to the dead-letter file: ${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}`, ids, { cause: error }));
    }
  }
}
