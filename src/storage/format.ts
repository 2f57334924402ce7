/**
 * Every byte a spool directory holds, in one place: what each file is, its layout, and how a reader
 * tells versions apart. The other storage modules only move these bytes; none of them lays any out.
 *
 * Integers are little-endian. CRC-32 is zlib's (`node:zlib` `crc32`).
 *
 * ## Files of the directory
 *
 * - `segment-<id, 10 digits>.log`: messages, appended in order; a new segment's id is past every id in the directory.
 *   `<segment>.corrupt`: a segment that held damage, set aside once every record in it was settled.
 * - `ack`: the acknowledgement cursor and the settled ranges past it.
 *   `ack.skipped-<epoch ms>`: something that was not a regular file under the name `ack`, moved aside.
 * - `lock`: who holds the directory. `lock.takeover-<hash>` and `lock.<pid>.<hex>` are short-lived
 *   files of the lock protocol (see `directory-lock.ts`).
 * - The dead-letter file (its own path, not in the directory): one message JSON per line (NDJSON,
 *   `\n` after each), the format of the local sink's `--out` file, read by `metarouter-otel replay`.
 *
 * ## Segment
 *
 * `[header][record]…`. The header (12 bytes) is `["MRSP"][format version u16][reserved u16, 0]
 * [CRC-32 of the 8 bytes before]`; it is written in the same `write(2)` as the segment's first record,
 * so a segment is either empty or starts with it, and appending costs no extra call.
 *
 * A record is `[payload length u32][CRC-32 of the payload u32][payload]`, the payload
 * `[messageId byte length u16][messageId, UTF-8][message JSON, UTF-8]`. A payload is at most
 * `MAX_PAYLOAD_BYTES`: a length past it marks damage.
 *
 * Segments written before the header existed (format version 0) start with a record. The two are
 * told apart by the first four bytes: "MRSP" read as a record's length is over a billion, far past
 * `MAX_PAYLOAD_BYTES`, so no whole or torn record starts with it. Damage cannot make one pass for the
 * other: a header whose checksum fails, or a file ending inside "MRSP" (torn), is damage at offset 0;
 * a version-0 segment whose first length was flipped into "MRSP" fails that checksum too (a 2^-32
 * chance otherwise) and is the same damage. Either way the reader resumes at the next record whose
 * checksum matches, as past any damaged part, reports it, and keeps the file as `.corrupt`.
 *
 * A segment of a version the reader does not know is reported `MR_ERR_STORAGE_UNKNOWN_FORMAT` at
 * start and left where it is, neither read nor removed; new segments are numbered past it. A later
 * version may change anything after the header, but must keep the header's 12 bytes as they are here,
 * so that every earlier reader can still tell its segments apart.
 *
 * ## Ack file
 *
 * Two slots of 1024 bytes, written in turn, each `[version u32, 2][sequence u32][cursor segment u32]
 * [cursor offset u32][count u32][count × (from segment, from offset, to segment, to offset), u32
 * each][CRC-32 of all before]`. The valid slot of the higher sequence (u32, wrapping) is the state;
 * a torn write damages only the slot being written. The first format (version 1) was a single
 * 16-byte `[1][cursor segment][cursor offset][CRC-32 of the 12 bytes before]`, still read.
 * Offsets are byte offsets in the segment file, header included.
 *
 * ## Lock file
 *
 * UTF-8 text, `<pid>\n<hostname>\n` then, where known, `<boot id>/<start in clock ticks>\n`.
 */
import { crc32 } from 'node:zlib';
import { LIMITS } from '../config/defaults.js';

/** The newest segment format: what new segments are written in. */
export const SEGMENT_FORMAT_VERSION = 1;
/** Bytes of a segment's header (a version-0 segment has none). */
export const SEGMENT_HEADER_BYTES = 12;
const SEGMENT_MAGIC = Buffer.from('MRSP', 'latin1');

/** Bytes before a record's payload: its length and the CRC-32 of the payload. */
export const FRAME_HEADER_BYTES = 8;
const ID_LENGTH_BYTES = 2;
/** A messageId of 100 characters takes at most 400 UTF-8 bytes. */
const MAX_ID_BYTES = LIMITS.maxMessageIdLength * 4;
/** The largest payload a valid record can have; a length over it marks a corrupt frame. */
export const MAX_PAYLOAD_BYTES = ID_LENGTH_BYTES + MAX_ID_BYTES + LIMITS.maxMessageBytes;

/** `segment-<10 digits>.log`, the name of segment `id`. */
export const segmentName = (id: number): string => `segment-${String(id).padStart(10, '0')}.log`;
/** Matches a segment's name; the group is its id. */
export const SEGMENT_NAME = /^segment-(\d{10})\.log$/;
/** The name a segment that held damage is kept under. */
export const corruptName = (name: string): string => `${name}.corrupt`;
/** The ack file's name in the directory. */
export const ACK_FILE = 'ack';
/** The lock file's name in the directory. */
export const LOCK_FILE = 'lock';

/** Writes the header of a new segment into `target` at 0. */
export function writeSegmentHeader(target: Buffer): void {
  SEGMENT_MAGIC.copy(target, 0);
  target.writeUInt16LE(SEGMENT_FORMAT_VERSION, 4);
  target.writeUInt16LE(0, 6);
  target.writeUInt32LE(crc32(target.subarray(0, 8)), 8);
}

/**
 * What the first bytes of a segment (up to `SEGMENT_HEADER_BYTES` of them; none for an empty file)
 * say: the format version and where its records start, or `'damaged'` (see the module comment).
 */
export function readSegmentHeader(head: Buffer): { version: number; dataStart: number } | 'damaged' {
  const compared = Math.min(head.length, SEGMENT_MAGIC.length);
  if (compared === 0 || !head.subarray(0, compared).equals(SEGMENT_MAGIC.subarray(0, compared))) return { version: 0, dataStart: 0 };
  if (head.length < SEGMENT_HEADER_BYTES || crc32(head.subarray(0, 8)) !== head.readUInt32LE(8)) return 'damaged';
  return { version: head.readUInt16LE(4), dataStart: SEGMENT_HEADER_BYTES };
}

/** One message as a record holds it. */
export interface StoredMessage {
  readonly messageId: string;
  readonly json: string;
  /** UTF-8 bytes of `json`. */
  readonly bytes: number;
  /** Offset just past the record, from the start of the buffer read. */
  readonly end: number;
}

/**
 * Writes one record into `target` at `at` and returns its length. `target` must hold
 * `at + FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES`.
 */
export function encodeFrame(target: Buffer, at: number, messageId: string, json: string): number {
  const payload = at + FRAME_HEADER_BYTES;
  const idBytes = target.write(messageId, payload + ID_LENGTH_BYTES, 'utf8');
  const jsonBytes = target.write(json, payload + ID_LENGTH_BYTES + idBytes, 'utf8');
  const payloadBytes = ID_LENGTH_BYTES + idBytes + jsonBytes;
  target.writeUInt16LE(idBytes, payload);
  target.writeUInt32LE(payloadBytes, at);
  target.writeUInt32LE(crc32(target.subarray(payload, payload + payloadBytes)), at + 4);
  return FRAME_HEADER_BYTES + payloadBytes;
}

/** What reading a buffer of frames found: whole records, where they end, and why reading stopped. */
export interface FrameScan {
  readonly messages: StoredMessage[];
  /** Offset in the buffer just past the last whole record read. */
  readonly end: number;
  /** `'short'`: the buffer ends inside a frame (read more, or a torn tail); `'corrupt'`: a bad length or checksum. */
  readonly stop: 'limit' | 'short' | 'corrupt';
}

/** Reads up to `maxCount` records from `buffer`, starting at 0. Pure; never throws. */
export function decodeFrames(buffer: Buffer, maxCount: number): FrameScan {
  const messages: StoredMessage[] = [];
  let offset = 0;
  while (messages.length < maxCount) {
    if (buffer.length - offset < FRAME_HEADER_BYTES) return { messages, end: offset, stop: 'short' };
    const payloadBytes = buffer.readUInt32LE(offset);
    if (payloadBytes < ID_LENGTH_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) return { messages, end: offset, stop: 'corrupt' };
    const start = offset + FRAME_HEADER_BYTES;
    if (buffer.length - start < payloadBytes) return { messages, end: offset, stop: 'short' };
    const payload = buffer.subarray(start, start + payloadBytes);
    const idBytes = payload.readUInt16LE(0);
    if (crc32(payload) !== buffer.readUInt32LE(offset + 4) || idBytes === 0 || idBytes > payloadBytes - ID_LENGTH_BYTES) {
      return { messages, end: offset, stop: 'corrupt' };
    }
    messages.push({
      messageId: payload.toString('utf8', ID_LENGTH_BYTES, ID_LENGTH_BYTES + idBytes),
      json: payload.toString('utf8', ID_LENGTH_BYTES + idBytes),
      bytes: payloadBytes - ID_LENGTH_BYTES - idBytes,
      end: start + payloadBytes,
    });
    offset = start + payloadBytes;
  }
  return { messages, end: offset, stop: 'limit' };
}

/**
 * The first offset after 0 where a whole record with a matching checksum starts, or -1: where reading
 * resumes past a damaged part, so one bad record does not take the intact ones after it.
 */
export function findNextFrame(buffer: Buffer): number {
  for (let offset = 1; offset + FRAME_HEADER_BYTES <= buffer.length; offset++) {
    if (decodeFrames(buffer.subarray(offset), 1).messages.length === 1) return offset;
  }
  return -1;
}

/** A place in the spool: a segment and a byte offset just past a record in it. */
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

const ACK_VERSION = 2;
const LEGACY_ACK_VERSION = 1;
const LEGACY_ACK_BYTES = 16;
/** Bytes of one ack slot; the file holds two. */
export const ACK_SLOT_BYTES = 1024;
/** version, sequence, cursor segment, cursor offset, range count. */
const ACK_HEADER_BYTES = 20;
const RANGE_BYTES = 16;
const CRC_BYTES = 4;
/** Ranges one slot holds; past them, later settled batches are sent again after a kill (duplicates, never loss). */
export const MAX_SETTLED_RANGES = Math.floor((ACK_SLOT_BYTES - ACK_HEADER_BYTES - CRC_BYTES) / RANGE_BYTES);

/** Writes `state` (its first `MAX_SETTLED_RANGES` ranges) as a slot into `target` at `start`; returns the slot's length. */
export function encodeAckSlot(target: Buffer, start: number, sequence: number, state: AckState): number {
  const count = Math.min(state.settled.length, MAX_SETTLED_RANGES);
  target.writeUInt32LE(ACK_VERSION, start);
  target.writeUInt32LE(sequence, start + 4);
  target.writeUInt32LE(state.cursor.segment, start + 8);
  target.writeUInt32LE(state.cursor.offset, start + 12);
  target.writeUInt32LE(count, start + 16);
  for (let i = 0; i < count; i++) {
    const { from, to } = state.settled[i]!;
    const at = start + ACK_HEADER_BYTES + i * RANGE_BYTES;
    target.writeUInt32LE(from.segment, at);
    target.writeUInt32LE(from.offset, at + 4);
    target.writeUInt32LE(to.segment, at + 8);
    target.writeUInt32LE(to.offset, at + 12);
  }
  const end = start + ACK_HEADER_BYTES + count * RANGE_BYTES;
  target.writeUInt32LE(crc32(target.subarray(start, end)), end);
  return end + CRC_BYTES - start;
}

/** The slot at `start` of an ack file's first `bytes` bytes, or undefined when it is not whole and valid. Never throws. */
export function decodeAckSlot(b: Buffer, start: number, bytes: number): { sequence: number; state: AckState } | undefined {
  if (bytes < start + LEGACY_ACK_BYTES) return undefined;
  const version = b.readUInt32LE(start);
  if (version === LEGACY_ACK_VERSION && start === 0) {
    if (crc32(b.subarray(0, 12)) !== b.readUInt32LE(12)) return undefined;
    return { sequence: 0, state: { cursor: { segment: b.readUInt32LE(4), offset: b.readUInt32LE(8) }, settled: [] } };
  }
  if (version !== ACK_VERSION || bytes < start + ACK_HEADER_BYTES) return undefined;
  const count = b.readUInt32LE(start + 16);
  const end = start + ACK_HEADER_BYTES + count * RANGE_BYTES;
  if (count > MAX_SETTLED_RANGES || bytes < end + CRC_BYTES || crc32(b.subarray(start, end)) !== b.readUInt32LE(end)) return undefined;
  const settled: SettledRange[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + ACK_HEADER_BYTES + i * RANGE_BYTES;
    settled.push({ from: { segment: b.readUInt32LE(at), offset: b.readUInt32LE(at + 4) }, to: { segment: b.readUInt32LE(at + 8), offset: b.readUInt32LE(at + 12) } });
  }
  return { sequence: b.readUInt32LE(start + 4), state: { cursor: { segment: b.readUInt32LE(start + 8), offset: b.readUInt32LE(start + 12) }, settled } };
}

/** The dead-letter file's lines for these message JSONs. */
export function encodeDeadLetters(jsons: readonly string[]): string {
  let text = '';
  for (const json of jsons) text += `${json}\n`;
  return text;
}

/** What a lock file says: who holds the directory. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** The holder's boot id and start, where the platform tells them. */
  readonly start: string | undefined;
}

/** The lock file's text for `owner`. */
export function encodeLock(owner: LockOwner): string {
  return `${owner.pid}\n${owner.host}\n${owner.start === undefined ? '' : `${owner.start}\n`}`;
}

/** The lock's holder, or undefined when the text is not a lock this package wrote. */
export function decodeLock(text: string): LockOwner | undefined {
  const [pidText, host, start] = text.split('\n');
  const pid = Number(pidText);
  if (pidText === '' || !Number.isSafeInteger(pid) || pid <= 0 || host === undefined || host === '') return undefined;
  return { pid, host, start: start === '' ? undefined : start };
}
