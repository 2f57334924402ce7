import { crc32 } from 'node:zlib';
import { LIMITS } from '../config/defaults.js';

/** Bytes before a record's payload: its length and the CRC-32 of the payload, both u32 little-endian. */
export const FRAME_HEADER_BYTES = 8;
/** Bytes of the payload's messageId length prefix (u16 little-endian). */
const ID_LENGTH_BYTES = 2;
/** A messageId of 100 characters takes at most 400 UTF-8 bytes. */
const MAX_ID_BYTES = LIMITS.maxMessageIdLength * 4;
/** The largest payload a valid record can have; a length over it marks a corrupt frame. */
export const MAX_PAYLOAD_BYTES = ID_LENGTH_BYTES + MAX_ID_BYTES + LIMITS.maxMessageBytes;

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
 * Writes one record into `target` at 0 and returns its length: `[payload length][crc32][payload]`,
 * payload `[messageId bytes (u16)][messageId][message JSON]`. `target` must hold
 * `FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES`.
 */
export function encodeFrame(target: Buffer, messageId: string, json: string): number {
  const idBytes = target.write(messageId, FRAME_HEADER_BYTES + ID_LENGTH_BYTES, 'utf8');
  const jsonBytes = target.write(json, FRAME_HEADER_BYTES + ID_LENGTH_BYTES + idBytes, 'utf8');
  const payloadBytes = ID_LENGTH_BYTES + idBytes + jsonBytes;
  target.writeUInt16LE(idBytes, FRAME_HEADER_BYTES);
  target.writeUInt32LE(payloadBytes, 0);
  target.writeUInt32LE(crc32(target.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + payloadBytes)), 4);
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
