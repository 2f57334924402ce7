import { createReadStream } from 'node:fs';

/** A line of the file that was longer than the reader keeps: its text was never held. */
export const TOO_LONG = Symbol('too long');

/**
 * The lines of `file` (split at `\n`, so numbered as `wc -l` counts them), each decoded as UTF-8,
 * or {@link TOO_LONG} for a line over `maxLineBytes`: its bytes are skipped as they are read, so a
 * file holding one enormous line (a binary file, a corrupt dump) costs no more memory than a short
 * one. Throws the file-system error of a failed read.
 */
export async function* readLines(file: string, maxLineBytes: number): AsyncGenerator<string | typeof TOO_LONG> {
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let end = chunk.indexOf(10, from); end !== -1; end = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, end);
      yield tooLong || length + piece.length > maxLineBytes ? TOO_LONG : Buffer.concat([...parts, piece]).toString('utf8');
      parts = [];
      length = 0;
      tooLong = false;
      from = end + 1;
    }
    const rest = chunk.subarray(from);
    if (tooLong || length + rest.length > maxLineBytes) {
      tooLong = true;
      parts = [];
      length = 0;
    } else if (rest.length > 0) {
      // A copy: the stream may reuse the chunk's memory.
      parts.push(Buffer.from(rest));
      length += rest.length;
    }
  }
  if (tooLong) yield TOO_LONG;
  else if (length > 0) yield Buffer.concat(parts).toString('utf8');
}
