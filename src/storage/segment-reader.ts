import { constants } from 'node:fs';
import { join } from 'node:path';
import { DeliveryError } from '../errors/metarouter-error.js';
import { corruptName, decodeFrames, findNextFrame, segmentName } from './format.js';
import { openRegular } from './regular-file.js';
import { inRanges, type Segment, type SpooledRecord, type SpoolState } from './spool-state.js';

/**
 * The reading side of the spool: one reader walks the segments in order from the cursor. Invariants:
 * - A record is returned at most once per process: the reader only moves forward.
 * - A corrupt part is skipped up to the next intact record, and reported with the bytes lost; a torn
 *   tail (no intact record after it) is cut off the segment's length and out of `totalBytes`. Either
 *   way the segment is marked corrupt, so that it is renamed aside, not deleted, once acknowledged.
 * - A record an earlier process settled past its cursor is not returned again.
 * - A segment that cannot be read is reported, marked corrupt and passed; reading never throws.
 */

/** Bytes read from a segment at once; more than one whole record of the largest size. */
const READ_CHUNK_BYTES = 256 * 1024;

/** Reads up to `maxCount` records from the reader's place, in order. Never throws. */
export function readRecords(state: SpoolState, maxCount: number): SpooledRecord[] {
  const records: SpooledRecord[] = [];
  while (records.length < maxCount && !state.caughtUp && !state.closed) {
    const segment = state.segments[state.readIndex]!;
    if (state.readOffset < segment.dataStart) state.readOffset = segment.dataStart;
    if (state.readOffset >= segment.bytes) {
      state.nextReadSegment();
      continue;
    }
    try {
      if (state.readFd === -1) state.readFd = openRegular(join(state.directory, segmentName(segment.id)), constants.O_RDONLY, undefined, state.io.openSync);
      if (segment.damagedHeader && state.readOffset === 0) {
        skipDamage(state, segment, 'a damaged format header');
        continue;
      }
      const start = state.readOffset;
      const length = Math.min(READ_CHUNK_BYTES, segment.bytes - start);
      const chunk = Buffer.allocUnsafe(length);
      const got = state.io.readSync(state.readFd, chunk, 0, length, state.readOffset);
      const scan = decodeFrames(chunk.subarray(0, got), maxCount - records.length);
      for (const message of scan.messages) {
        const end = { segment: segment.id, offset: state.readOffset + message.end };
        // An earlier process settled it past its cursor (delivered while an older batch waited): not sent again.
        if (segment.previous && inRanges(state.settled, end)) continue;
        records.push({ messageId: message.messageId, json: message.json, bytes: message.bytes, position: end, recovered: segment.previous });
      }
      state.readOffset += scan.end;
      // The segment's end was reached (or the file is shorter than it was): what is left is torn.
      const readToEnd = start + got >= segment.bytes || got < length;
      if (scan.stop === 'corrupt' || (scan.stop === 'short' && readToEnd && (state.readOffset < start + got || got === 0))) {
        skipDamage(state, segment, scan.stop === 'corrupt' ? 'a corrupt record' : 'a torn record');
      }
    } catch (error) {
      state.fault(`could not read ${segmentName(segment.id)}; it is set aside`, error);
      segment.corrupt = true;
      state.nextReadSegment();
    }
  }
  return records;
}

/**
 * Past a damaged part, reading resumes at the next intact record; only when none follows (a torn
 * tail) is the rest cut off. Either way the segment is set aside once acknowledged.
 */
function skipDamage(state: SpoolState, segment: Segment, what: string): void {
  const rest = Buffer.allocUnsafe(segment.bytes - state.readOffset);
  const got = state.io.readSync(state.readFd, rest, 0, rest.length, state.readOffset);
  const skip = findNextFrame(rest.subarray(0, got));
  if (skip === -1) {
    setAside(state, segment, `${what} at its end`);
    return;
  }
  segment.corrupt = true;
  state.report(new DeliveryError('MR_ERR_STORAGE_CORRUPT', `${segmentName(segment.id)} holds ${what} at offset ${state.readOffset}: the ${skip} bytes from there to offset ${state.readOffset + skip} are skipped, and the messages in them lost; the intact records before and after are sent, and the file is kept as ${corruptName(segmentName(segment.id))}`, []));
  state.readOffset += skip;
}

function setAside(state: SpoolState, segment: Segment, what: string): void {
  const lost = segment.bytes - state.readOffset;
  segment.corrupt = true;
  state.report(new DeliveryError('MR_ERR_STORAGE_CORRUPT', `${segmentName(segment.id)} holds ${what} at offset ${state.readOffset}: the ${lost} bytes from there are cut off; the intact records before it are sent, and the file is kept as ${corruptName(segmentName(segment.id))}`, []));
  segment.bytes = state.readOffset;
  state.totalBytes -= lost;
  state.nextReadSegment();
}
