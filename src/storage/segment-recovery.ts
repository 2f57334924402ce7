import { closeSync, constants, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryError, readThrown } from '../errors/metarouter-error.js';
import { readSegmentHeader, SEGMENT_FORMAT_VERSION, SEGMENT_HEADER_BYTES, SEGMENT_NAME, segmentName } from './format.js';
import { kindOf, openRegular } from './regular-file.js';
import { recordBytes, type SpoolState } from './spool-state.js';

/**
 * What a start finds in the directory: the segments earlier processes left. Invariants:
 * - An entry named like a segment that is not a regular file, a segment of a format version not known
 *   here, or one whose first bytes cannot be read, is reported and left alone: neither read, nor
 *   followed, nor removed; new segments are numbered past it (`lastSkippedId`).
 * - Segments wholly behind the stored cursor are removed (a process was killed before it could).
 * - Nothing here throws for one segment: start-up goes on. Reports are deferred, so that the caller
 *   can attach its listener after the constructor returns.
 */

/**
 * Lists the segments left by earlier processes into `state.segments`, drops those already
 * acknowledged, and places the reader at the cursor.
 */
export function openSegments(state: SpoolState): void {
  const { directory } = state;
  const ids = readdirSync(directory)
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  for (const id of ids) {
    const path = join(directory, segmentName(id));
    const stats = lstatSync(path);
    if (!stats.isFile()) {
      state.lastSkippedId = Math.max(state.lastSkippedId, id);
      state.reportLater(new DeliveryError('MR_ERR_STORAGE_ENTRY_SKIPPED', `${segmentName(id)} in ${directory} is ${kindOf(stats)}, not a segment file: it is neither read nor removed (move it out of the directory)`, []));
      continue;
    }
    const bytes = stats.size;
    let header: ReturnType<typeof readSegmentHeader>;
    try {
      header = readSegmentHeader(bytes === 0 ? Buffer.alloc(0) : readHead(state, path, bytes));
    } catch (error) {
      state.lastSkippedId = Math.max(state.lastSkippedId, id);
      state.reportLater(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not read ${segmentName(id)} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}): it is neither read nor removed now; the next start tries again`, [], { cause: error }));
      continue;
    }
    if (header !== 'damaged' && header.version > SEGMENT_FORMAT_VERSION) {
      state.lastSkippedId = Math.max(state.lastSkippedId, id);
      state.reportLater(new DeliveryError('MR_ERR_STORAGE_UNKNOWN_FORMAT', `${segmentName(id)} in ${directory} is in storage format version ${header.version}, which this version of metarouter-otel (format ${SEGMENT_FORMAT_VERSION}) does not know: it is neither read nor removed (start the version that wrote it to send it)`, []));
      continue;
    }
    if (id < state.acked.segment) {
      removeAtStart(state, segmentName(id));
      continue;
    }
    const segment = { id, bytes, previous: true, corrupt: false, dataStart: header === 'damaged' ? 0 : header.dataStart, damagedHeader: header === 'damaged' };
    state.segments.push(segment);
    state.totalBytes += recordBytes(segment);
  }
  if (state.segments[0]?.id === state.acked.segment) state.readOffset = Math.min(state.acked.offset, state.segments[0].bytes);
}

/** A segment's first bytes, read through the seam: as many as its header takes, fewer when the file is shorter. */
function readHead(state: SpoolState, path: string, bytes: number): Buffer {
  const fd = openRegular(path, constants.O_RDONLY, undefined, state.io.openSync);
  try {
    const head = Buffer.alloc(Math.min(bytes, SEGMENT_HEADER_BYTES));
    return head.subarray(0, state.io.readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Removes a segment left behind the cursor by a process killed before it could. */
function removeAtStart(state: SpoolState, name: string): void {
  try {
    state.io.unlinkSync(join(state.directory, name));
  } catch (error) {
    state.reportLater(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not remove the delivered ${name} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}); the next start tries again`, [], { cause: error }));
  }
}
