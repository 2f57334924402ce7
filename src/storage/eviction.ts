import { closeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { DeliveryError } from '../errors/metarouter-error.js';
import type { SettledRange } from './ack-file.js';
import { decodeFrames, findNextFrame, segmentName } from './format.js';
import { openRegular } from './regular-file.js';
import { settle } from './spool-ledger.js';
import { inRanges, recordBytes, type SpooledRecord, type SpoolState } from './spool-state.js';

/**
 * Making room when the spool is full: the oldest segment is taken out whole. Invariants:
 * - The segment being written is never evicted.
 * - The cursor is moved past the segment before its file is unlinked: a kill between the two leaves
 *   a cursor naming a missing segment, which a start skips.
 * - The file stays open until `readEvicted` has harvested the records neither read into memory nor
 *   settled, so that the caller can name each message it drops; the fd is closed whatever happens.
 */

/** The oldest segment, taken out of the spool to make room: its records not yet read are harvested by `readEvicted`. */
export interface Eviction {
  readonly segment: number;
  /** Open on the unlinked file, until `readEvicted` closes it. */
  readonly fd: number;
  /** Where the records not read into memory start, and where the segment ends. */
  readonly unreadFrom: number;
  readonly end: number;
  /** Written by an earlier process. */
  readonly previous: boolean;
  /** The settled ranges at the eviction: records in them are not harvested. */
  readonly settled: readonly SettledRange[];
}

/** See `Spool.evictOldest`. */
export function evictOldest(state: SpoolState): Eviction | undefined {
  if (state.closed || state.segments.length < 2) return undefined;
  const segment = state.segments[0]!;
  const path = join(state.directory, segmentName(segment.id));
  let fd: number;
  try {
    fd = openRegular(path, constants.O_RDONLY, undefined, state.io.openSync);
  } catch (error) {
    state.fault(`could not evict ${segmentName(segment.id)}`, error);
    return undefined;
  }
  const unreadFrom = Math.max(state.readIndex === 0 ? state.readOffset : segment.bytes, segment.dataStart);
  const eviction: Eviction = { segment: segment.id, fd, unreadFrom, end: segment.bytes, previous: segment.previous, settled: [...state.settled] };
  if (state.readIndex === 0) state.nextReadSegment();
  state.segments.shift();
  state.readIndex--;
  state.totalBytes -= recordBytes(segment);
  // The cursor first: a kill between the two leaves a cursor naming a missing segment, which a start skips.
  settle(state, state.acked, { segment: segment.id, offset: segment.bytes });
  try {
    state.io.unlinkSync(path);
  } catch (error) {
    state.fault(`could not remove the evicted ${segmentName(segment.id)}; the next start sends it again`, error);
  }
  return eviction;
}

/** See `Spool.readEvicted`. */
export function readEvicted(state: SpoolState, eviction: Eviction): SpooledRecord[] {
  const records: SpooledRecord[] = [];
  try {
    const buffer = Buffer.allocUnsafe(eviction.end - eviction.unreadFrom);
    const got = state.io.readSync(eviction.fd, buffer, 0, buffer.length, eviction.unreadFrom);
    let offset = 0;
    let damaged = 0;
    while (offset < got) {
      const scan = decodeFrames(buffer.subarray(offset, got), Number.MAX_SAFE_INTEGER);
      for (const message of scan.messages) {
        const position = { segment: eviction.segment, offset: eviction.unreadFrom + offset + message.end };
        if (!inRanges(eviction.settled, position)) records.push({ messageId: message.messageId, json: message.json, bytes: message.bytes, position, recovered: eviction.previous });
      }
      offset += scan.end;
      if (offset === got) break;
      // A damaged part holds no readable id: resume at the next intact record.
      const skip = findNextFrame(buffer.subarray(offset, got));
      damaged += skip === -1 ? got - offset : skip;
      offset = skip === -1 ? got : offset + skip;
    }
    if (damaged > 0) state.report(new DeliveryError('MR_ERR_STORAGE_CORRUPT', `the evicted ${segmentName(eviction.segment)} held ${damaged} damaged bytes; the messages in them are lost`, []));
  } catch (error) {
    state.fault('could not read an evicted segment; the ids of its unsent messages are not known', error);
  } finally {
    try {
      closeSync(eviction.fd);
    } catch {
      // Unlinked already: closing only frees its space.
    }
  }
  return records;
}
