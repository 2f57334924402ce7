import { closeSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { DeliveryError } from '../errors/metarouter-error.js';
import type { Position } from './ack-file.js';
import { lockDirectory } from './directory-lock.js';
import { checkDirectorySafety } from './directory-safety.js';
import { evictOldest, readEvicted, type Eviction } from './eviction.js';
import { storageIo } from './file-io.js';
import { segmentName } from './format.js';
import { readRecords } from './segment-reader.js';
import { openSegments } from './segment-recovery.js';
import { SegmentWriter } from './segment-writer.js';
import { openLedger, settle } from './spool-ledger.js';
import { SpoolState, type SpooledRecord, type SpoolSettings } from './spool-state.js';

export type { Position, SettledRange } from './ack-file.js';
export type { Eviction } from './eviction.js';
export type { SpooledRecord, SpoolIo, SpoolSettings } from './spool-state.js';

/**
 * An append-only, size-bounded log of messages in segment files, with an acknowledgement cursor
 * (every byte layout: `format.ts`; every file access: `file-io.ts`). Appends go through `write(2)`
 * (the page cache: they survive the process being killed); `syncInterval` adds an `fdatasync` at
 * most that often (power loss). One reader walks the log in order from the cursor, across segments;
 * a corrupt part of a segment is skipped up to the next intact record (a torn tail, with none after
 * it, is cut off), reported, and the segment set aside when acknowledged. A segment is deleted only
 * once the cursor past it is synced. A fault on a single file (a read, an unlink, a rename) is
 * reported and never stops a start.
 *
 * The parts, over one shared `SpoolState`: `segment-writer.ts` (append, roll, cut back),
 * `segment-reader.ts` (reading, damaged parts), `segment-recovery.ts` (what a start finds),
 * `spool-ledger.ts` (cursor, settled ranges, deleting behind the cursor), `eviction.ts`.
 */
export class Spool {
  private readonly state: SpoolState;
  private readonly writer: SegmentWriter;
  private readonly release: () => void;
  private readonly syncTimer: NodeJS.Timeout | undefined;

  /** Opens (creating it when missing), checks and locks `directory`. Throws the file-system error, `UnsafeDirectory` or `DirectoryInUse`. */
  constructor(settings: SpoolSettings, report: (error: DeliveryError) => void) {
    const io = storageIo(settings.io);
    mkdirSync(settings.directory, { recursive: true, mode: 0o700 });
    const directory = realpathSync(settings.directory);
    this.state = new SpoolState(settings, io, directory, report);
    this.writer = new SegmentWriter(this.state);
    checkDirectorySafety(directory);
    this.release = lockDirectory(directory);
    try {
      openLedger(this.state);
      openSegments(this.state);
      this.writer.roll();
    } catch (error) {
      this.release();
      throw error;
    }
    if (settings.syncInterval > 0) this.syncTimer = setInterval(() => this.writer.syncSoon(), settings.syncInterval).unref();
  }

  /** True from a reported fault until the next write succeeds. */
  get failing(): boolean {
    return this.state.faulted;
  }

  /** Bytes that may still be appended before `maxBytes`. */
  get freeBytes(): number {
    return this.state.settings.maxBytes - this.state.totalBytes;
  }

  /** Where the last record appended so far ends. */
  get end(): Position {
    return { segment: this.state.writer.id, offset: this.state.writer.bytes };
  }

  /** The acknowledgement cursor: every record up to it is settled. */
  get cursor(): Position {
    return this.state.acked;
  }

  /** True when every record is read: new ones may go straight to memory. */
  get caughtUp(): boolean {
    return this.state.caughtUp;
  }

  /**
   * Appends one message. `read`: the caller holds it in memory already, so the reader moves past it
   * (only when caught up). Returns where the record ends, `'full'` when it would pass `maxBytes`, or
   * `'failed'` when the write failed (reported once per run of failures; the file is left whole).
   */
  append(messageId: string, json: string, read: boolean): Position | 'full' | 'failed' {
    return this.writer.append(messageId, json, read);
  }

  /** Reads up to `maxCount` records from the reader's place, in order. Never throws. */
  read(maxCount: number): SpooledRecord[] {
    return readRecords(this.state, maxCount);
  }

  /**
   * Records that every record ending after `from` and up to `to` is settled (delivered, or given up
   * and reported). The cursor moves over settled ranges that reach it; the ranges past it are kept in
   * the ack file, so that a kill resends only what was not settled. Segments wholly behind the cursor
   * are then deleted, once the cursor is synced; corrupt ones are renamed `*.corrupt` instead.
   */
  settle(from: Position, to: Position): void {
    settle(this.state, from, to);
  }

  /**
   * Takes the oldest segment out to make room: its file is unlinked (kept open for `readEvicted`),
   * its bytes freed, the reader and the cursor moved past it. Undefined when only the segment being
   * written is left, or the file cannot be removed (reported).
   */
  evictOldest(): Eviction | undefined {
    return evictOldest(this.state);
  }

  /** The records of an evicted segment that were neither read into memory nor settled; closes its file. Never throws. */
  readEvicted(eviction: Eviction): SpooledRecord[] {
    return readEvicted(this.state, eviction);
  }

  /** Syncs what was written, stops, and releases the directory. Idempotent. */
  close(): void {
    const { state } = this;
    if (state.closed) return;
    state.closed = true;
    clearInterval(this.syncTimer);
    try {
      if (state.settings.syncInterval > 0 && state.unsynced) state.io.fdatasyncSync(state.writerFd);
    } catch (error) {
      state.fault('could not sync storage at close', error);
    }
    // Whatever fails here, the directory is released: a lock left held would refuse every later start.
    try {
      for (const fd of [state.writerFd, state.readFd]) if (fd !== -1) closeSync(fd);
      state.ack.close();
      if (state.writer.bytes === 0 && state.segments.length > 0) this.removeQuietly(segmentName(state.writer.id));
    } catch (error) {
      state.fault('could not close storage cleanly; the next start recovers it', error);
    } finally {
      this.release();
    }
  }

  private removeQuietly(name: string): void {
    try {
      this.state.io.unlinkSync(join(this.state.directory, name));
    } catch {
      // An empty segment left behind is harmless: the next start skips it.
    }
  }
}
