import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

const gunzipAsync = promisify(gunzip);

/** Why a request body was not read; the server answers 413, 400, or nothing (the client left). */
export class BodyError extends Error {
  constructor(readonly reason: 'too-large' | 'undecodable' | 'aborted') {
    super(reason);
  }
}

/** The content coding of a request: none, gzip, or undefined for one the bridge does not read. */
export function contentCoding(header: string | undefined): 'identity' | 'gzip' | undefined {
  const coding = (header ?? '').trim().toLowerCase();
  if (coding === '' || coding === 'identity') return 'identity';
  return coding === 'gzip' || coding === 'x-gzip' ? 'gzip' : undefined;
}

/**
 * Reads the raw body, refusing it as soon as it passes `maxBytes`. On refusal the listeners go and
 * the stream keeps flowing, so Node discards the rest while the 413 is answered.
 */
function readRaw(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
    };
    function onData(chunk: Buffer): void {
      size += chunk.length;
      if (size > maxBytes) {
        stop();
        reject(new BodyError('too-large'));
      } else {
        chunks.push(chunk);
      }
    }
    function onEnd(): void {
      stop();
      resolve(Buffer.concat(chunks, size));
    }
    function onGone(): void {
      stop();
      reject(new BodyError('aborted'));
    }
    request.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

/**
 * The request body, decompressed. Both the wire body and the decompressed one are capped at
 * `maxBytes`: zlib stops inflating at the cap (`maxOutputLength`), so a small gzip bomb costs at
 * most `maxBytes` of memory before it is refused.
 */
export async function readBody(request: IncomingMessage, coding: 'identity' | 'gzip', maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyError('too-large');
  const raw = await readRaw(request, maxBytes);
  if (coding === 'identity') return raw;
  try {
    return await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    throw new BodyError((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too-large' : 'undecodable');
  }
}
