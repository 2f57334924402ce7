import { closeSync, constants } from 'node:fs';
import type { StorageIo } from './file-io.js';
import { ACK_SLOT_BYTES, type AckState, decodeAckSlot, encodeAckSlot, type Position } from './format.js';
import { openRegular } from './regular-file.js';

export type { AckState, Position, SettledRange } from './format.js';

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
 * to retry are not sent again after a kill. Two slots are written in turn (layout: `format.ts`); the
 * valid slot of the higher sequence is the state. A torn write damages only the slot being written,
 * so the other one still holds the state before it (as LMDB's two meta pages): a torn write never
 * loses the cursor. No slot readable reads as "nothing acknowledged": the spool is then sent again
 * from its oldest record, which duplicates but never loses.
 */
export class AckFile {
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(2 * ACK_SLOT_BYTES);
  private sequence = 0;

  /** Opens `path`, creating it when missing; never through a symbolic link. Throws `NotRegularFile` when the name holds something else, or the file-system error. */
  constructor(
    path: string,
    private readonly io: StorageIo,
  ) {
    this.fd = this.open(path);
  }

  private open(path: string): number {
    try {
      return openRegular(path, constants.O_RDWR, undefined, this.io.openSync);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return openRegular(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600, this.io.openSync);
    }
  }

  /** The stored state; `valid` is false when a file existed but held no readable slot. Throws the file-system error. */
  read(): { state: AckState; valid: boolean } {
    const bytes = this.io.readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
    if (bytes === 0) return { state: START, valid: true };
    let best: { sequence: number; state: AckState } | undefined;
    for (const start of [0, ACK_SLOT_BYTES]) {
      const slot = decodeAckSlot(this.buffer, start, bytes);
      if (slot !== undefined && (best === undefined || newer(slot.sequence, best.sequence))) best = slot;
    }
    if (best === undefined) return { state: START, valid: false };
    this.sequence = best.sequence;
    return { state: best.state, valid: true };
  }

  /** Writes `state` into the slot not holding the latest one. At most `MAX_SETTLED_RANGES` ranges are kept, the first ones. */
  write(state: AckState): void {
    this.sequence = (this.sequence + 1) >>> 0;
    const start = (this.sequence % 2) * ACK_SLOT_BYTES;
    const length = encodeAckSlot(this.buffer, start, this.sequence, state);
    this.io.writeSync(this.fd, this.buffer, start, length, start);
  }

  /** Makes the state survive a power loss: done before any file it covers is deleted. */
  sync(): void {
    this.io.fdatasyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
