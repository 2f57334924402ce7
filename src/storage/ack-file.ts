import { closeSync, constants, fdatasyncSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { openRegular } from './regular-file.js';

/** A place in the spool: a segment and an offset just past a record in it. */
export interface Position {
  readonly segment: number;
  readonly offset: number;
}

/** Records settled past the cursor: every record whose end lies after `from`, up to and including `to`. */
export interface SettledRange {
  readonly from: Position;
  readonly to: Position;
}

/** What the ack file holds: the cursor, and the settled ranges past it. */
export interface AckState {
  readonly cursor: Position;
  readonly settled: readonly SettledRange[];
}

const VERSION = 2;
/** The 16-byte cursor of the first format, read so that a spool written by it is taken over. */
const LEGACY_VERSION = 1;
const LEGACY_BYTES = 16;
const SLOT_BYTES = 1024;
/** version, sequence, cursor segment, cursor offset, range count. */
const HEADER_BYTES = 20;
const RANGE_BYTES = 16;
const CRC_BYTES = 4;
/** Ranges one slot holds; past them, later settled batches are sent again after a kill (duplicates, never loss). */
export const MAX_SETTLED_RANGES = Math.floor((SLOT_BYTES - HEADER_BYTES - CRC_BYTES) / RANGE_BYTES);

const START: AckState = { cursor: { segment: 0, offset: 0 }, settled: [] };

/** Orders two positions: negative when `a` comes first. */
export function comparePositions(a: Position, b: Position): number {
  return a.segment === b.segment ? a.offset - b.offset : a.segment - b.segment;
}

/** True when sequence `a` was written after `b` (u32, wrapping). */
function newer(a: number, b: number): boolean {
  return a !== b && ((a - b) >>> 0) < 0x80000000;
}

/**
 * The acknowledgement cursor (everything before it was delivered or given up for good) and up to
 * `MAX_SETTLED_RANGES` ranges settled past it, so that batches delivered while an older one waits
 * to retry are not sent again after a kill. The file holds two slots of `SLOT_BYTES`, written in
 * turn, each `[version][sequence][segment][offset][count][count × (from segment, from offset, to
 * segment, to offset)][crc32 of all before]` (u32 little-endian); the valid slot of the higher
 * sequence is the state. A torn write damages only the slot being written, so the other one still
 * holds the state before it (as LMDB's two meta pages): a torn write never loses the cursor. No slot
 * readable reads as "nothing acknowledged": the spool is then sent again from its oldest record,
 * which duplicates but never loses.
 */
export class AckFile {
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(2 * SLOT_BYTES);
  private sequence = 0;

  /** Opens `path`, creating it when missing; never through a symbolic link. Throws `NotRegularFile` when the name holds something else, or the file-system error. */
  constructor(path: string) {
    this.fd = AckFile.open(path);
  }

  private static open(path: string): number {
    try {
      return openRegular(path, constants.O_RDWR);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return openRegular(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    }
  }

  /** The stored state; `valid` is false when a file existed but held no readable slot. */
  read(): { state: AckState; valid: boolean } {
    const bytes = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
    if (bytes === 0) return { state: START, valid: true };
    let best: { sequence: number; state: AckState } | undefined;
    for (const start of [0, SLOT_BYTES]) {
      const slot = this.readSlot(start, bytes);
      if (slot !== undefined && (best === undefined || newer(slot.sequence, best.sequence))) best = slot;
    }
    if (best === undefined) return { state: START, valid: false };
    this.sequence = best.sequence;
    return { state: best.state, valid: true };
  }

  /** Writes `state` into the slot not holding the latest one. At most `MAX_SETTLED_RANGES` ranges are kept, the first ones. */
  write(state: AckState): void {
    const count = Math.min(state.settled.length, MAX_SETTLED_RANGES);
    this.sequence = (this.sequence + 1) >>> 0;
    const start = (this.sequence % 2) * SLOT_BYTES;
    const b = this.buffer;
    b.writeUInt32LE(VERSION, start);
    b.writeUInt32LE(this.sequence, start + 4);
    b.writeUInt32LE(state.cursor.segment, start + 8);
    b.writeUInt32LE(state.cursor.offset, start + 12);
    b.writeUInt32LE(count, start + 16);
    for (let i = 0; i < count; i++) {
      const { from, to } = state.settled[i]!;
      const at = start + HEADER_BYTES + i * RANGE_BYTES;
      b.writeUInt32LE(from.segment, at);
      b.writeUInt32LE(from.offset, at + 4);
      b.writeUInt32LE(to.segment, at + 8);
      b.writeUInt32LE(to.offset, at + 12);
    }
    const end = start + HEADER_BYTES + count * RANGE_BYTES;
    b.writeUInt32LE(crc32(b.subarray(start, end)), end);
    writeSync(this.fd, b, start, end + CRC_BYTES - start, start);
  }

  /** Makes the state survive a power loss: done before any file it covers is deleted. */
  sync(): void {
    fdatasyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  private readSlot(start: number, bytes: number): { sequence: number; state: AckState } | undefined {
    const b = this.buffer;
    if (bytes < start + LEGACY_BYTES) return undefined;
    const version = b.readUInt32LE(start);
    if (version === LEGACY_VERSION && start === 0) {
      if (crc32(b.subarray(0, 12)) !== b.readUInt32LE(12)) return undefined;
      return { sequence: 0, state: { cursor: { segment: b.readUInt32LE(4), offset: b.readUInt32LE(8) }, settled: [] } };
    }
    if (version !== VERSION || bytes < start + HEADER_BYTES) return undefined;
    const count = b.readUInt32LE(start + 16);
    const end = start + HEADER_BYTES + count * RANGE_BYTES;
    if (count > MAX_SETTLED_RANGES || bytes < end + CRC_BYTES || crc32(b.subarray(start, end)) !== b.readUInt32LE(end)) return undefined;
    const settled: SettledRange[] = [];
    for (let i = 0; i < count; i++) {
      const at = start + HEADER_BYTES + i * RANGE_BYTES;
      settled.push({ from: { segment: b.readUInt32LE(at), offset: b.readUInt32LE(at + 4) }, to: { segment: b.readUInt32LE(at + 8), offset: b.readUInt32LE(at + 12) } });
    }
    return { sequence: b.readUInt32LE(start + 4), state: { cursor: { segment: b.readUInt32LE(start + 8), offset: b.readUInt32LE(start + 12) }, settled } };
  }
}
