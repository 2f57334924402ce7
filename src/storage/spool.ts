import { closeSync, constants, lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { DeliveryError, readThrown } from '../errors/metarouter-error.js';
import { AckFile, comparePositions, type AckState, type Position, type SettledRange } from './ack-file.js';
import { lockDirectory } from './directory-lock.js';
import { checkDirectorySafety } from './directory-safety.js';
import { storageIo, type StorageIo } from './file-io.js';
import {
  ACK_FILE,
  corruptName,
  decodeFrames,
  encodeFrame,
  findNextFrame,
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  readSegmentHeader,
  SEGMENT_FORMAT_VERSION,
  SEGMENT_HEADER_BYTES,
  SEGMENT_NAME,
  segmentName,
  writeSegmentHeader,
} from './format.js';
import { kindOf, NotRegularFile, openRegular } from './regular-file.js';

export type { Position, SettledRange } from './ack-file.js';
/** The spool's file-access seam (`StorageIo`), under the name its settings have always used. */
export type SpoolIo = StorageIo;

/** The largest segment file; smaller when `maxBytes` is small, so that acknowledged space is freed in steps. */
const MAX_SEGMENT_BYTES = 8 * 1024 * 1024;
/** Bytes read from a segment at once; more than one whole record of the largest size. */
const READ_CHUNK_BYTES = 256 * 1024;
const NOTHING_ACKNOWLEDGED: AckState = { cursor: { segment: 0, offset: 0 }, settled: [] };

export interface SpoolSettings {
  readonly directory: string;
  readonly maxBytes: number;
  /** Milliseconds between data syncs of the segment being written; 0: never sync. */
  readonly syncInterval: number;
  /** File-system calls to use instead of `node:fs`: the seam where tests inject faults or count calls. */
  readonly io?: Partial<SpoolIo>;
}

/** A record read back from the spool. */
export interface SpooledRecord {
  readonly messageId: string;
  readonly json: string;
  readonly bytes: number;
  readonly position: Position;
  /** Written by an earlier process (found at start) rather than by this one. */
  readonly recovered: boolean;
}

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

interface Segment {
  readonly id: number;
  bytes: number;
  /** Found at start: left by an earlier process. */
  readonly previous: boolean;
  /** Holds a torn or corrupt part: renamed aside instead of deleted once acknowledged. */
  corrupt: boolean;
  /** Where its records start: past the header, or 0 in a version-0 segment or one whose header is damaged. */
  readonly dataStart: number;
  /** Starts with a damaged header: read from 0 as a damaged part. */
  readonly damagedHeader: boolean;
}

/** Bytes of a segment's records: its size less its header, when it has one yet. */
const recordBytes = (segment: Segment) => segment.bytes - Math.min(segment.dataStart, segment.bytes);

/** True when a record ending at `end` lies in one of `ranges`. */
const inRanges = (ranges: readonly SettledRange[], end: Position) => ranges.some((range) => comparePositions(range.from, end) < 0 && comparePositions(end, range.to) <= 0);

/**
 * An append-only, size-bounded log of messages in segment files, with an acknowledgement cursor
 * (every byte layout: `format.ts`; every file access: `file-io.ts`). Appends go through `write(2)`
 * (the page cache: they survive the process being killed); `syncInterval` adds an `fdatasync` at
 * most that often (power loss). One reader walks the log in order from the cursor, across segments;
 * a corrupt part of a segment is skipped up to the next intact record (a torn tail, with none after
 * it, is cut off), reported, and the segment set aside when acknowledged. A segment is deleted only
 * once the cursor past it is synced. A fault on a single file (a read, an unlink, a rename) is
 * reported and never stops a start.
 */
export class Spool {
  private readonly segments: Segment[] = [];
  /** A segment's header, then room for one record: a segment's first record is written with the header in one call. */
  private readonly frame = Buffer.allocUnsafe(SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES);
  private readonly segmentBytes: number;
  private readonly io: SpoolIo;
  private readonly ack: AckFile;
  private readonly release: () => void;
  /** The directory's real path, resolved once: a symbolic link in the given path that is changed later does not move the spool. */
  private readonly directory: string;
  private acked: Position;
  /** Ranges settled past the cursor, in order, disjoint and not touching: each holds the cursor back from nothing but an unsettled gap before it. */
  private settled: SettledRange[] = [];
  private writer!: Segment;
  private writerFd = -1;
  /** Where the reader stands: the segment's index in `segments`, and an offset in it. */
  private readIndex = 0;
  private readOffset = 0;
  private readFd = -1;
  /** Bytes of the records held, which `maxBytes` bounds; segment headers are not counted, so that room for N records of the largest size takes N of them. */
  private totalBytes = 0;
  /** The highest id of an entry named like a segment that is left unread (not a regular file, unknown format, unreadable): new segments are numbered past it. */
  private lastSkippedId = 0;
  private faulted = false;
  private unsynced = false;
  private syncing = false;
  private readonly syncTimer: NodeJS.Timeout | undefined;
  private closed = false;

  /** Opens (creating it when missing), checks and locks `directory`. Throws the file-system error, `UnsafeDirectory` or `DirectoryInUse`. */
  constructor(
    private readonly settings: SpoolSettings,
    private readonly report: (error: DeliveryError) => void,
  ) {
    this.io = storageIo(settings.io);
    writeSegmentHeader(this.frame);
    this.segmentBytes = Math.max(FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES, Math.min(MAX_SEGMENT_BYTES, Math.floor(settings.maxBytes / 8)));
    mkdirSync(settings.directory, { recursive: true, mode: 0o700 });
    this.directory = realpathSync(settings.directory);
    checkDirectorySafety(this.directory);
    this.release = lockDirectory(this.directory);
    try {
      this.ack = this.openAck();
      const stored = this.readAck();
      this.acked = stored.cursor;
      this.settled = stored.settled.filter((range) => comparePositions(range.to, this.acked) > 0);
      this.openSegments();
      this.roll();
    } catch (error) {
      this.release();
      throw error;
    }
    if (settings.syncInterval > 0) this.syncTimer = setInterval(() => this.syncSoon(), settings.syncInterval).unref();
  }

  /** True from a reported fault until the next write succeeds. */
  get failing(): boolean {
    return this.faulted;
  }

  /** Bytes that may still be appended before `maxBytes`. */
  get freeBytes(): number {
    return this.settings.maxBytes - this.totalBytes;
  }

  /** Where the last record appended so far ends. */
  get end(): Position {
    return { segment: this.writer.id, offset: this.writer.bytes };
  }

  /** The acknowledgement cursor: every record up to it is settled. */
  get cursor(): Position {
    return this.acked;
  }

  /** True when every record is read: new ones may go straight to memory. */
  get caughtUp(): boolean {
    return this.segments[this.readIndex] === this.writer && this.readOffset === this.writer.bytes;
  }

  /**
   * Appends one message. `read`: the caller holds it in memory already, so the reader moves past it
   * (only when caught up). Returns where the record ends, `'full'` when it would pass `maxBytes`, or
   * `'failed'` when the write failed (reported once per run of failures; the file is left whole).
   */
  append(messageId: string, json: string, read: boolean): Position | 'full' | 'failed' {
    const frameLength = encodeFrame(this.frame, SEGMENT_HEADER_BYTES, messageId, json);
    const rolls = this.writer.bytes + frameLength > this.segmentBytes && this.writer.bytes > 0;
    const withHeader = rolls || this.writer.bytes === 0;
    const length = withHeader ? SEGMENT_HEADER_BYTES + frameLength : frameLength;
    if (this.totalBytes + frameLength > this.settings.maxBytes) return 'full';
    try {
      if (rolls) this.roll();
      const written = this.io.writeSync(this.writerFd, this.frame, withHeader ? 0 : SEGMENT_HEADER_BYTES, length, this.writer.bytes);
      if (written !== length) throw Object.assign(new Error(`short write: ${written} of ${length} bytes`), { code: 'EIO' });
    } catch (error) {
      this.cutBack();
      this.fault('could not write a message to storage; it is held in memory only', error);
      return 'failed';
    }
    const wasCaughtUp = this.caughtUp;
    this.faulted = false;
    this.unsynced = true;
    this.writer.bytes += length;
    this.totalBytes += frameLength;
    if (read && wasCaughtUp) this.readOffset = this.writer.bytes;
    return { segment: this.writer.id, offset: this.writer.bytes };
  }

  /** Reads up to `maxCount` records from the reader's place, in order. Never throws. */
  read(maxCount: number): SpooledRecord[] {
    const records: SpooledRecord[] = [];
    while (records.length < maxCount && !this.caughtUp && !this.closed) {
      const segment = this.segments[this.readIndex]!;
      if (this.readOffset < segment.dataStart) this.readOffset = segment.dataStart;
      if (this.readOffset >= segment.bytes) {
        this.nextReadSegment();
        continue;
      }
      try {
        if (this.readFd === -1) this.readFd = openRegular(join(this.directory, segmentName(segment.id)), constants.O_RDONLY, undefined, this.io.openSync);
        if (segment.damagedHeader && this.readOffset === 0) {
          this.skipDamage(segment, 'a damaged format header');
          continue;
        }
        const start = this.readOffset;
        const length = Math.min(READ_CHUNK_BYTES, segment.bytes - start);
        const chunk = Buffer.allocUnsafe(length);
        const got = this.io.readSync(this.readFd, chunk, 0, length, this.readOffset);
        const scan = decodeFrames(chunk.subarray(0, got), maxCount - records.length);
        for (const message of scan.messages) {
          const end = { segment: segment.id, offset: this.readOffset + message.end };
          // An earlier process settled it past its cursor (delivered while an older batch waited): not sent again.
          if (segment.previous && this.isSettled(end)) continue;
          records.push({ messageId: message.messageId, json: message.json, bytes: message.bytes, position: end, recovered: segment.previous });
        }
        this.readOffset += scan.end;
        // The segment's end was reached (or the file is shorter than it was): what is left is torn.
        const readToEnd = start + got >= segment.bytes || got < length;
        if (scan.stop === 'corrupt' || (scan.stop === 'short' && readToEnd && (this.readOffset < start + got || got === 0))) {
          this.skipDamage(segment, scan.stop === 'corrupt' ? 'a corrupt record' : 'a torn record');
        }
      } catch (error) {
        this.fault(`could not read ${segmentName(segment.id)}; it is set aside`, error);
        segment.corrupt = true;
        this.nextReadSegment();
      }
    }
    return records;
  }

  /**
   * Records that every record ending after `from` and up to `to` is settled (delivered, or given up
   * and reported). The cursor moves over settled ranges that reach it; the ranges past it are kept in
   * the ack file, so that a kill resends only what was not settled. Segments wholly behind the cursor
   * are then deleted, once the cursor is synced; corrupt ones are renamed `*.corrupt` instead.
   */
  settle(from: Position, to: Position): void {
    if (this.closed || comparePositions(to, this.acked) <= 0) return;
    this.addSettled(from, to);
    const before = this.acked;
    while (this.settled.length > 0 && comparePositions(this.settled[0]!.from, this.acked) <= 0) {
      const { to: through } = this.settled.shift()!;
      if (comparePositions(through, this.acked) > 0) this.acked = through;
    }
    try {
      this.ack.write({ cursor: this.acked, settled: this.settled });
      if (comparePositions(this.acked, before) > 0) this.deleteAcknowledged();
    } catch (error) {
      this.fault('could not record delivered messages in storage; they may be sent again after a restart', error);
    }
  }

  /** Inserts a range in order, merged with those it touches or overlaps. */
  private addSettled(from: Position, to: Position): void {
    let start = from;
    let end = to;
    const kept: SettledRange[] = [];
    let at = 0;
    for (const range of this.settled) {
      if (comparePositions(range.to, start) < 0) {
        kept.push(range);
        at = kept.length;
      } else if (comparePositions(range.from, end) > 0) {
        kept.push(range);
      } else {
        if (comparePositions(range.from, start) < 0) start = range.from;
        if (comparePositions(range.to, end) > 0) end = range.to;
      }
    }
    kept.splice(at, 0, { from: start, to: end });
    this.settled = kept;
  }

  private isSettled(end: Position): boolean {
    return inRanges(this.settled, end);
  }

  private deleteAcknowledged(): void {
    let synced = false;
    while (this.segments.length > 1 && this.readIndex > 0 && this.isAcknowledged(this.segments[0]!)) {
      if (!synced) this.ack.sync();
      synced = true;
      const segment = this.segments.shift()!;
      this.readIndex--;
      this.totalBytes -= recordBytes(segment);
      const name = segmentName(segment.id);
      try {
        if (segment.corrupt) this.io.renameSync(join(this.directory, name), join(this.directory, corruptName(name)));
        else this.io.unlinkSync(join(this.directory, name));
      } catch (error) {
        // Behind the cursor already: the next start removes it. Storage itself still works, so appends go on.
        const what = segment.corrupt ? `set ${name} aside as ${corruptName(name)}` : `remove the delivered ${name}`;
        this.report(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not ${what}; the next start removes it: ${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}`, [], { cause: error }));
      }
    }
  }

  /**
   * Takes the oldest segment out to make room: its file is unlinked (kept open for `readEvicted`),
   * its bytes freed, the reader and the cursor moved past it. Undefined when only the segment being
   * written is left, or the file cannot be removed (reported).
   */
  evictOldest(): Eviction | undefined {
    if (this.closed || this.segments.length < 2) return undefined;
    const segment = this.segments[0]!;
    const path = join(this.directory, segmentName(segment.id));
    let fd: number;
    try {
      fd = openRegular(path, constants.O_RDONLY, undefined, this.io.openSync);
    } catch (error) {
      this.fault(`could not evict ${segmentName(segment.id)}`, error);
      return undefined;
    }
    const unreadFrom = Math.max(this.readIndex === 0 ? this.readOffset : segment.bytes, segment.dataStart);
    const eviction: Eviction = { segment: segment.id, fd, unreadFrom, end: segment.bytes, previous: segment.previous, settled: [...this.settled] };
    if (this.readIndex === 0) this.nextReadSegment();
    this.segments.shift();
    this.readIndex--;
    this.totalBytes -= recordBytes(segment);
    // The cursor first: a kill between the two leaves a cursor naming a missing segment, which a start skips.
    this.settle(this.acked, { segment: segment.id, offset: segment.bytes });
    try {
      this.io.unlinkSync(path);
    } catch (error) {
      this.fault(`could not remove the evicted ${segmentName(segment.id)}; the next start sends it again`, error);
    }
    return eviction;
  }

  /** The records of an evicted segment that were neither read into memory nor settled; closes its file. Never throws. */
  readEvicted(eviction: Eviction): SpooledRecord[] {
    const records: SpooledRecord[] = [];
    try {
      const buffer = Buffer.allocUnsafe(eviction.end - eviction.unreadFrom);
      const got = this.io.readSync(eviction.fd, buffer, 0, buffer.length, eviction.unreadFrom);
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
      if (damaged > 0) this.report(new DeliveryError('MR_ERR_STORAGE_CORRUPT', `the evicted ${segmentName(eviction.segment)} held ${damaged} damaged bytes; the messages in them are lost`, []));
    } catch (error) {
      this.fault('could not read an evicted segment; the ids of its unsent messages are not known', error);
    } finally {
      try {
        closeSync(eviction.fd);
      } catch {
        // Unlinked already: closing only frees its space.
      }
    }
    return records;
  }

  /** Syncs what was written, stops, and releases the directory. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.syncTimer);
    try {
      if (this.settings.syncInterval > 0 && this.unsynced) this.io.fdatasyncSync(this.writerFd);
    } catch (error) {
      this.fault('could not sync storage at close', error);
    }
    // Whatever fails here, the directory is released: a lock left held would refuse every later start.
    try {
      for (const fd of [this.writerFd, this.readFd]) if (fd !== -1) closeSync(fd);
      this.ack.close();
      if (this.writer.bytes === 0 && this.segments.length > 0) this.removeQuietly(segmentName(this.writer.id));
    } catch (error) {
      this.fault('could not close storage cleanly; the next start recovers it', error);
    } finally {
      this.release();
    }
  }

  private removeQuietly(name: string): void {
    try {
      this.io.unlinkSync(join(this.directory, name));
    } catch {
      // An empty segment left behind is harmless: the next start skips it.
    }
  }

  private isAcknowledged(segment: Segment): boolean {
    return segment.id < this.acked.segment || (segment.id === this.acked.segment && this.acked.offset >= segment.bytes && segment !== this.writer);
  }

  /**
   * Opens the ack file. Anything else under its name (a symbolic link, a directory) is renamed aside,
   * never opened through, and a new file made: the cursor is lost, so the spool is sent again.
   */
  private openAck(): AckFile {
    const path = join(this.directory, ACK_FILE);
    try {
      return new AckFile(path, this.io);
    } catch (error) {
      if (!(error instanceof NotRegularFile)) throw error;
      const aside = `ack.skipped-${Date.now()}`;
      this.io.renameSync(path, join(this.directory, aside));
      queueMicrotask(() => this.report(new DeliveryError('MR_ERR_STORAGE_ENTRY_SKIPPED', `${path} is ${error.kind}, not opened through; it is renamed ${aside}, and the spool is sent again from its oldest record (duplicates possible)`, [])));
      return new AckFile(path, this.io);
    }
  }

  /** The stored cursor; when it cannot be read, nothing acknowledged (duplicates, never loss), reported, and start-up goes on. */
  private readAck(): AckState {
    let stored: { state: AckState; valid: boolean };
    try {
      stored = this.ack.read();
    } catch (error) {
      this.reportLater(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not read the acknowledgement cursor (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}); the spool is sent again from its oldest record (duplicates possible)`, [], { cause: error }));
      return NOTHING_ACKNOWLEDGED;
    }
    if (!stored.valid) this.reportLater(new DeliveryError('MR_ERR_STORAGE_CORRUPT', 'the acknowledgement cursor was unreadable; the spool is sent again from its oldest record (duplicates possible)', []));
    return stored.state;
  }

  /** Deferred: during construction, the caller attaches its error listener right after. */
  private reportLater(error: DeliveryError): void {
    queueMicrotask(() => this.report(error));
  }

  /** A segment's first bytes, read through the seam: as many as its header takes, fewer when the file is shorter. */
  private readHead(path: string, bytes: number): Buffer {
    const fd = openRegular(path, constants.O_RDONLY, undefined, this.io.openSync);
    try {
      const head = Buffer.alloc(Math.min(bytes, SEGMENT_HEADER_BYTES));
      return head.subarray(0, this.io.readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Lists the segments left by earlier processes, drops those already acknowledged, and places the
   * reader. An entry named like a segment that is not a regular file, or a segment of a format version
   * not known here, or one whose first bytes cannot be read, is reported and left alone: neither read,
   * nor followed, nor removed. Nothing here throws for one segment: start-up goes on.
   */
  private openSegments(): void {
    const { directory } = this;
    const ids = readdirSync(directory)
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const id of ids) {
      const path = join(directory, segmentName(id));
      const stats = lstatSync(path);
      if (!stats.isFile()) {
        this.lastSkippedId = Math.max(this.lastSkippedId, id);
        this.reportLater(new DeliveryError('MR_ERR_STORAGE_ENTRY_SKIPPED', `${segmentName(id)} in ${directory} is ${kindOf(stats)}, not a segment file: it is neither read nor removed (move it out of the directory)`, []));
        continue;
      }
      const bytes = stats.size;
      let header: ReturnType<typeof readSegmentHeader>;
      try {
        header = readSegmentHeader(bytes === 0 ? Buffer.alloc(0) : this.readHead(path, bytes));
      } catch (error) {
        this.lastSkippedId = Math.max(this.lastSkippedId, id);
        this.reportLater(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not read ${segmentName(id)} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}): it is neither read nor removed now; the next start tries again`, [], { cause: error }));
        continue;
      }
      if (header !== 'damaged' && header.version > SEGMENT_FORMAT_VERSION) {
        this.lastSkippedId = Math.max(this.lastSkippedId, id);
        this.reportLater(new DeliveryError('MR_ERR_STORAGE_UNKNOWN_FORMAT', `${segmentName(id)} in ${directory} is in storage format version ${header.version}, which this version of metarouter-otel (format ${SEGMENT_FORMAT_VERSION}) does not know: it is neither read nor removed (start the version that wrote it to send it)`, []));
        continue;
      }
      if (id < this.acked.segment) {
        this.removeAtStart(segmentName(id));
        continue;
      }
      const segment = { id, bytes, previous: true, corrupt: false, dataStart: header === 'damaged' ? 0 : header.dataStart, damagedHeader: header === 'damaged' };
      this.segments.push(segment);
      this.totalBytes += recordBytes(segment);
    }
    if (this.segments[0]?.id === this.acked.segment) this.readOffset = Math.min(this.acked.offset, this.segments[0].bytes);
  }

  /** Removes a segment left behind the cursor by a process killed before it could. */
  private removeAtStart(name: string): void {
    try {
      this.io.unlinkSync(join(this.directory, name));
    } catch (error) {
      this.reportLater(new DeliveryError('MR_ERR_STORAGE_FAULT', `could not remove the delivered ${name} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text}); the next start tries again`, [], { cause: error }));
    }
  }

  /** Starts a new segment file for appends; its header is written with its first record. */
  private roll(): void {
    const id = Math.max(this.acked.segment, this.segments.at(-1)?.id ?? 0, this.lastSkippedId) + 1;
    const fd = this.io.openSync(join(this.directory, segmentName(id)), 'wx', 0o600);
    const caughtUp = this.writerFd !== -1 && this.caughtUp;
    // Nothing after the open may throw: a new segment left on disk but not in `segments` would make every later roll fail EEXIST.
    if (this.writerFd !== -1) this.retire(this.writerFd);
    this.writerFd = fd;
    this.writer = { id, bytes: 0, previous: false, corrupt: false, dataStart: SEGMENT_HEADER_BYTES, damagedHeader: false };
    this.segments.push(this.writer);
    if (caughtUp) this.nextReadSegment();
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
    if (this.settings.syncInterval === 0) {
      closeQuietly();
      return;
    }
    this.io.fdatasync(fd, (error) => {
      if (error !== null) this.fault('could not sync a finished storage segment', error);
      closeQuietly();
    });
  }

  private nextReadSegment(): void {
    if (this.readFd !== -1) closeSync(this.readFd);
    this.readFd = -1;
    if (this.readIndex < this.segments.length - 1) {
      this.readIndex++;
      this.readOffset = 0;
    }
  }

  /**
   * Past a damaged part, reading resumes at the next intact record; only when none follows (a torn
   * tail) is the rest cut off. Either way the segment is set aside once acknowledged.
   */
  private skipDamage(segment: Segment, what: string): void {
    const rest = Buffer.allocUnsafe(segment.bytes - this.readOffset);
    const got = this.io.readSync(this.readFd, rest, 0, rest.length, this.readOffset);
    const skip = findNextFrame(rest.subarray(0, got));
    if (skip === -1) {
      this.setAside(segment, `${what} at its end`);
      return;
    }
    segment.corrupt = true;
    this.report(new DeliveryError('MR_ERR_STORAGE_CORRUPT', `${segmentName(segment.id)} holds ${what} at offset ${this.readOffset}: the ${skip} bytes from there to offset ${this.readOffset + skip} are skipped, and the messages in them lost; the intact records before and after are sent, and the file is kept as ${corruptName(segmentName(segment.id))}`, []));
    this.readOffset += skip;
  }

  private setAside(segment: Segment, what: string): void {
    const lost = segment.bytes - this.readOffset;
    segment.corrupt = true;
    this.report(new DeliveryError('MR_ERR_STORAGE_CORRUPT', `${segmentName(segment.id)} holds ${what} at offset ${this.readOffset}: the ${lost} bytes from there are cut off; the intact records before it are sent, and the file is kept as ${corruptName(segmentName(segment.id))}`, []));
    segment.bytes = this.readOffset;
    this.totalBytes -= lost;
    this.nextReadSegment();
  }

  /** After a failed append, removes whatever part of the record reached the file. */
  private cutBack(): void {
    try {
      this.io.ftruncateSync(this.writerFd, this.writer.bytes);
    } catch {
      // The next start's reader cuts a torn tail off anyway.
    }
  }

  private fault(message: string, cause: unknown): void {
    if (this.faulted) return;
    this.faulted = true;
    this.report(new DeliveryError('MR_ERR_STORAGE_FAULT', `${message}: ${(cause as NodeJS.ErrnoException)?.code ?? readThrown(cause).text}`, [], { cause }));
  }

  /** One background sync at a time: a slow disk stretches the window at risk, it does not pile up syncs. */
  private syncSoon(): void {
    if (!this.unsynced || this.closed || this.syncing) return;
    this.unsynced = false;
    this.syncing = true;
    this.io.fdatasync(this.writerFd, (error) => {
      this.syncing = false;
      if (error !== null && !this.closed) this.fault('could not sync storage', error);
    });
  }
}
