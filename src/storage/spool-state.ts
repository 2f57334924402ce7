import { closeSync } from 'node:fs';
import { DeliveryError, readThrown } from '../errors/metarouter-error.js';
import { comparePositions, type AckFile, type Position, type SettledRange } from './ack-file.js';
import type { StorageIo } from './file-io.js';

/**
 * What the spool's parts (writer, reader, recovery, ledger, eviction) share: the segment list, the
 * reader's place, the byte count and the fault flag. Invariants every part keeps:
 * - `segments` is in id order; its last entry is `writer`, the one segment appended to.
 * - `segments[readIndex]` is the segment being read; `readFd` is open on it or -1.
 * - `totalBytes` is the sum of `recordBytes` over `segments`: headers are never counted.
 * - `settled` holds ranges past `acked` only, in order, disjoint and not touching.
 * - `fault` reports once per run of failures: `faulted` clears on the next successful append.
 */

/** The spool's file-access seam (`StorageIo`), under the name its settings have always used. */
export type SpoolIo = StorageIo;

/** How a spool is opened. */
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

/** One segment file the spool holds. */
export interface Segment {
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
export const recordBytes = (segment: Segment): number => segment.bytes - Math.min(segment.dataStart, segment.bytes);

/** True when a record ending at `end` lies in one of `ranges`. */
export const inRanges = (ranges: readonly SettledRange[], end: Position): boolean =>
  ranges.some((range) => comparePositions(range.from, end) < 0 && comparePositions(end, range.to) <= 0);

/** The state the spool's parts share; see the invariants above. */
export class SpoolState {
  readonly segments: Segment[] = [];
  /** Set by the ledger at start, before anything else reads it. */
  ack!: AckFile;
  /** The acknowledgement cursor: every record up to it is settled. */
  acked!: Position;
  /** Ranges settled past the cursor, in order, disjoint and not touching: each holds the cursor back from nothing but an unsettled gap before it. */
  settled: SettledRange[] = [];
  /** The segment appended to, set by the writer's first roll at start; `writerFd` is open on it. */
  writer!: Segment;
  writerFd = -1;
  /** Where the reader stands: the segment's index in `segments`, and an offset in it. */
  readIndex = 0;
  readOffset = 0;
  readFd = -1;
  /** Bytes of the records held, which `maxBytes` bounds; segment headers are not counted, so that room for N records of the largest size takes N of them. */
  totalBytes = 0;
  /** The highest id of an entry named like a segment that is left unread (not a regular file, unknown format, unreadable): new segments are numbered past it. */
  lastSkippedId = 0;
  faulted = false;
  unsynced = false;
  syncing = false;
  closed = false;

  constructor(
    readonly settings: SpoolSettings,
    readonly io: SpoolIo,
    /** The directory's real path, resolved once: a symbolic link in the given path that is changed later does not move the spool. */
    readonly directory: string,
    readonly report: (error: DeliveryError) => void,
  ) {}

  /** True when every record is read: new ones may go straight to memory. */
  get caughtUp(): boolean {
    return this.segments[this.readIndex] === this.writer && this.readOffset === this.writer.bytes;
  }

  /** Moves the reader to the start of the next segment, when there is one; closes the file it read. */
  nextReadSegment(): void {
    if (this.readFd !== -1) closeSync(this.readFd);
    this.readFd = -1;
    if (this.readIndex < this.segments.length - 1) {
      this.readIndex++;
      this.readOffset = 0;
    }
  }

  /** Reports a storage fault, once per run of failures. */
  fault(message: string, cause: unknown): void {
    if (this.faulted) return;
    this.faulted = true;
    this.report(new DeliveryError('MR_ERR_STORAGE_FAULT', `${message}: ${(cause as NodeJS.ErrnoException)?.code ?? readThrown(cause).text}`, [], { cause }));
  }

  /** Deferred: during construction, the caller attaches its error listener right after. */
  reportLater(error: DeliveryError): void {
    queueMicrotask(() => this.report(error));
  }
}
