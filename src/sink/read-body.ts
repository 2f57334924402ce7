import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

/** A body that was refused: `tooLarge` past the cap, otherwise unreadable (a broken gzip stream). */
export class BodyRefused extends Error {
  constructor(readonly tooLarge: boolean) {
    super(tooLarge ? 'body too large' : 'body cannot be read');
  }
}

/** A request body as the sink saw it: the text, and the bytes as they came over the wire. */
export interface ReadBody {
  readonly text: string;
  readonly wireBytes: number;
  readonly gzip: boolean;
}

/** Reads a request body, gunzipping when asked, and stops as soon as it passes `maxBytes` (before or after gunzip). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<ReadBody> {
  const gzip = request.headers['content-encoding'] === 'gzip';
  let wireBytes = 0;
  request.on('data', (chunk: Buffer) => (wireBytes += chunk.length));
  const source = gzip ? request.pipe(createGunzip()) : request;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += (chunk as Buffer).length;
      if (size > maxBytes || wireBytes > maxBytes) throw new BodyRefused(true);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw error instanceof BodyRefused ? error : new BodyRefused(false);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), wireBytes, gzip };
}
