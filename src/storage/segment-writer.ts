import { closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Position } from './ack-file.js';
import { encodeFrame, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES, SEGMENT_HEADER_BYTES, segmentName, writeSegmentHeader } from './format.js';
import type { SpoolState } from './spool-state.js';

/**
 * The appending side of the spool: one segment is written at a time, and rolled over to a new one
 * when a record would pass `segmentBytes`. Invariants:
 * - A record is written in one `write(2)` call; a segment's first record is written with the
 *   segment's header in the same call, so a segment on disk is empty or starts with a whole header.
 * - A failed or short write is cut back to the segment's last whole record, so the file is left whole.
 * - `totalBytes` never passes `maxBytes`: a record that would is refused as `'full'` before any write.
 * - Once a new segment's file is open, nothing throws until it is in `segments`: a file left on disk
 *   but not in the list would make every later roll fail with EEXIST.
 */

/** The largest segment file; smaller when `maxBytes` is small, so that acknowledged space is freed in steps. */
const MAX_SEGMENT_BYTES = 8 * 1024 * 1024;

/** Appends records to the spool's segment files. */
export class SegmentWriter {
  /** A segment's header, then room for one record: a segment's first record is written with the header in one call. */
  private readonly frame = Buffer.allocUnsafe(SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES);
  private readonly segmentBytes: number;

  constructor(private readonly state: SpoolState) {
    writeSegmentHeader(this.frame);
    this.segmentBytes = Math.max(FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES, Math.min(MAX_SEGMENT_BYTES, Math.floor(state.settings.maxBytes / 8)));
  }

  /** See `Spool.append`. */
  append(messageId: string, json: string, read: boolean): Position | 'full' | 'failed' {
    const { state } = this;
    const frameLength = encodeFrame(this.frame, SEGMENT_HEADER_BYTES, messageId, json);
    const rolls = state.writer.bytes + frameLength > this.segmentBytes && state.writer.bytes > 0;
    const withHeader = rolls || state.writer.bytes === 0;
    const length = withHeader ? SEGMENT_HEADER_BYTES + frameLength : frameLength;
    if (state.totalBytes + frameLength > state.settings.maxBytes) return 'full';
    try {
      if (rolls) this.roll();
      const written = state.io.writeSync(state.writerFd, this.frame, withHeader ? 0 : SEGMENT_HEADER_BYTES, length, state.writer.bytes);
      if (written !== length) throw Object.assign(new Error(`short write: ${written} of ${length} bytes`), { code: 'EIO' });
    } catch (error) {
      this.cutBack();
      state.fault('could not write a message to storage; it is held in memory only', error);
      return 'failed';
    }
    const wasCaughtUp = state.caughtUp;
    state.faulted = false;
    state.unsynced = true;
    state.writer.bytes += length;
    state.totalBytes += frameLength;
    if (read && wasCaughtUp) state.readOffset = state.writer.bytes;
    return { segment: state.writer.id, offset: state.writer.bytes };
  }

  /** Starts a new segment file for appends; its header is written with its first record. */
  roll(): void {
    const { state } = this;
    const id = Math.max(state.acked.segment, state.segments.at(-1)?.id ?? 0, state.lastSkippedId) + 1;
    const fd = state.io.openSync(join(state.directory, segmentName(id)), 'wx', 0o600);
    const caughtUp = state.writerFd !== -1 && state.caughtUp;
    // Nothing after the open may throw: a new segment left on disk but not in `segments` would make every later roll fail EEXIST.
    if (state.writerFd !== -1) this.retire(state.writerFd);
    state.writerFd = fd;
    state.writer = { id, bytes: 0, previous: false, corrupt: false, dataStart: SEGMENT_HEADER_BYTES, damagedHeader: false };
    state.segments.push(state.writer);
    if (caughtUp) state.nextReadSegment();
  }

  /** One background sync at a time: a slow disk stretches the window at risk, it does not pile up syncs. */
  syncSoon(): void {
    const { state } = this;
    if (!state.unsynced || state.closed || state.syncing) return;
    state.unsynced = false;
    state.syncing = true;
    state.io.fdatasync(state.writerFd, (error) => {
      state.syncing = false;
      if (error !== null && !state.closed) state.fault('could not sync storage', error);
    });
  }

  /** Closes a finished segment's fd, after its data sync in the background when syncing: a roll happens inside a caller's append. */
  private retire(fd: number): void {
    const closeQuietly = () => {
      try {
        closeSync(fd);
      } catch {
        // The fd is gone either way; its data was written.
      }
    };
    if (this.state.settings.syncInterval === 0) {
      closeQuietly();
      return;
    }
    this.state.io.fdatasync(fd, (error) => {
      if (error !== null) this.state.fault('could not sync a finished storage segment', error);
      closeQuietly();
    });
  }

  /** After a failed append, removes whatever part of the record reached the file. */
  private cutBack(): void {
    try {
      this.state.io.ftruncateSync(this.state.writerFd, this.state.writer.bytes);
    } catch {
      // The next start's reader cuts a torn tail off anyway.
    }
  }
}
