import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * The progress record of a replay (`FILE.replay-progress` by default): the messageIds the server
 * acknowledged, one JSON string per line, appended and fsynced each time a group of messages settles.
 *
 * Keyed by messageId, not by line number or a hash of the file, because the messageId is what the
 * server deduplicates by: whatever happens to the file between runs (appended to, edited, reordered,
 * replaced), a message already delivered is not sent again and every other one is. A crash between
 * the server's answer and the fsync loses at most that group's record, and those messages are sent
 * again with their ids (at least once). A torn last line is ignored on reading.
 */
export class ReplayProgressFile {
  private constructor(
    private readonly fd: number,
    /** The messageIds recorded as delivered, by earlier runs and this one. */
    readonly delivered: Set<string>,
    private needsNewline: boolean,
  ) {}

  /** Reads the record at `path` (none yet is an empty one) and opens it for appending. Throws the file-system error. */
  static open(path: string): ReplayProgressFile {
    const { delivered, torn } = readRecord(path);
    return new ReplayProgressFile(openSync(path, 'a'), delivered, torn);
  }

  /** Appends `ids` as delivered and waits for them to reach the disk. Throws the file-system error. */
  record(ids: readonly string[]): void {
    if (ids.length === 0) return;
    let text = this.needsNewline ? '\n' : '';
    for (const id of ids) {
      this.delivered.add(id);
      text += `${JSON.stringify(id)}\n`;
    }
    writeSync(this.fd, text);
    this.needsNewline = false;
    fsyncSync(this.fd);
  }

  /** Closes the record; what `record` wrote is already on disk. */
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The messageIds recorded at `path`, without opening it for writing (none yet is an empty record);
 * `torn` when it does not end with a line break. Throws the file-system error.
 */
export function readRecord(path: string): { delivered: Set<string>; torn: boolean } {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const delivered = new Set<string>();
  for (const line of text.split('\n')) {
    try {
      const id: unknown = JSON.parse(line);
      if (typeof id === 'string') delivered.add(id);
    } catch {
      // A line torn by a crash mid-append: its message is sent again, which is the at-least-once promise.
    }
  }
  return { delivered, torn: text !== '' && !text.endsWith('\n') };
}
