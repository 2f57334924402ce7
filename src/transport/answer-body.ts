import { Buffer } from 'node:buffer';
/** What was read of an answer's body. */
export interface BodyText {
  readonly text: string;
  /** False when the body was cut at `limit` or broke off. */
  readonly complete: boolean;
}

/**
 * Reads at most `limit` bytes of a body (undici's, or a web stream's chunks), so a hostile or broken
 * server cannot grow our memory; `stop` releases the rest once the limit is passed.
 */
export async function readCapped(chunks: AsyncIterable<Uint8Array>, limit: number, stop: () => void): Promise<BodyText> {
  const read: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of chunks) {
      read.push(chunk);
      size += chunk.length;
      if (size > limit) {
        stop();
        break;
      }
    }
  } catch {
    return { text: Buffer.concat(read).toString('utf8'), complete: false };
  }
  return { text: Buffer.concat(read).subarray(0, limit).toString('utf8'), complete: size <= limit };
}

/** What a network failure was: its code, the code of its cause (fetch wraps the socket's error in a TypeError), or its name. */
export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    const inner = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
    if (typeof inner === 'string') return inner;
    if (typeof name === 'string') return name;
  }
  return 'network error';
}
