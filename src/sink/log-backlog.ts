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
 * The log's entries after `afterSeq` and up to `untilSeq`, as JSON texts, about {@link PIECE_BYTES}
 * at a time: each call returns the next piece, or undefined once there is no more. Each piece is
 * read from the log only when asked for: entries that arrive meanwhile are included (up to
 * `untilSeq`), ones that fall off the history are skipped.
 */
export function logPieces(log: MessageLog, afterSeq: number, untilSeq = Infinity): () => { readonly texts: readonly string[]; readonly lastSeq: number } | undefined {
  let cursor = afterSeq;
  return () => {
    const entries = log.list();
    let index = firstAfter(entries, cursor);
    const texts: string[] = [];
    let bytes = 0;
    while (index < entries.length && entries[index]!.seq <= untilSeq && bytes < PIECE_BYTES) {
      const json = JSON.stringify(entries[index]);
      texts.push(json);
      bytes += json.length;
      cursor = entries[index]!.seq;
      index++;
    }
    return texts.length === 0 ? undefined : { texts, lastSeq: cursor };
  };
}

/**
 * The log's entries after `afterSeq` as `messages` events, read as the stream asks for them
 * ({@link logPieces}). Each event's id is its last entry's seq, so a reconnecting page resumes after it.
 */
export function logBacklog(log: MessageLog, afterSeq: number): Backlog {
  const next = logPieces(log, afterSeq);
  return () => {
    const piece = next();
    return piece === undefined ? undefined : EventStream.formatJson('messages', `[${piece.texts.join(',')}]`, piece.lastSeq);
  };
}
