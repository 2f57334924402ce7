import { EventStream, type Backlog } from './event-stream.js';
import type { Entry, MessageLog } from './message-log.js';

/** About how much JSON one backlog event carries: small beside the stream budget, big enough to load fast. */
const PIECE_BYTES = 64 * 1024;

/** The index of the first entry after `seq` in entries kept in seq order. */
function firstAfter(entries: readonly Entry[], seq: number): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (entries[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The log's entries after `afterSeq` as `messages` events, each read from the log only when the
 * stream asks for it: entries that arrive meanwhile are included, ones that fall off the history
 * are skipped. Each event's id is its last entry's seq, so a reconnecting page resumes after it.
 */
export function logBacklog(log: MessageLog, afterSeq: number): Backlog {
  let cursor = afterSeq;
  return () => {
    const entries = log.list();
    let index = firstAfter(entries, cursor);
    if (index >= entries.length) return undefined;
    const parts: string[] = [];
    let bytes = 0;
    while (index < entries.length && bytes < PIECE_BYTES) {
      const json = JSON.stringify(entries[index]);
      parts.push(json);
      bytes += json.length;
      index++;
    }
    cursor = entries[index - 1]!.seq;
    return EventStream.formatJson('messages', `[${parts.join(',')}]`, cursor);
  };
}
