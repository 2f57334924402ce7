import { closeSync, constants, fdatasyncSync, openSync, readSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** A place in the spool: a segment and an offset just past a record in it. */
export interface Position {
  readonly segment: number;
  readonly offset: number;
}

const VERSION = 1;
const ACK_BYTES = 16;

/** Orders two positions: negative when `a` comes first. */
export function comparePositions(a: Position, b: Position): number {
  return a.segment === b.segment ? a.offset - b.offset : a.segment - b.segment;
}

/**
 * The acknowledgement cursor: everything before it was delivered or given up for good. Kept in a
 * 16-byte file, `[version][segment][offset][crc32 of the 12 bytes before]` (u32 little-endian),
 * rewritten in place. A torn or unreadable cursor reads as "nothing acknowledged": the spool is
 * then sent again from its oldest record, which duplicates but never loses.
 */
export class AckFile {
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(ACK_BYTES);

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  }

  /** The stored cursor; `valid` is false when a file existed but held no readable cursor. */
  read(): { position: Position; valid: boolean } {
    const bytes = readSync(this.fd, this.buffer, 0, ACK_BYTES, 0);
    const start = { segment: 0, offset: 0 };
    if (bytes === 0) return { position: start, valid: true };
    const b = this.buffer;
    if (bytes !== ACK_BYTES || b.readUInt32LE(0) !== VERSION || crc32(b.subarray(0, 12)) !== b.readUInt32LE(12)) return { position: start, valid: false };
    return { position: { segment: b.readUInt32LE(4), offset: b.readUInt32LE(8) }, valid: true };
  }

  write(position: Position): void {
    const b = this.buffer;
    b.writeUInt32LE(VERSION, 0);
    b.writeUInt32LE(position.segment, 4);
    b.writeUInt32LE(position.offset, 8);
    b.writeUInt32LE(crc32(b.subarray(0, 12)), 12);
    writeSync(this.fd, b, 0, ACK_BYTES, 0);
  }

  /** Makes the cursor survive a power loss: done before any file it covers is deleted. */
  sync(): void {
    fdatasyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
