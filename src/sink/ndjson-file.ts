import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConfigurationError, MetaRouterError, readThrown } from '../errors/metarouter-error.js';

/**
 * The `out` file: opened (for appending) before the sink listens, so a path that cannot be written
 * fails the start instead of the first request. A later failure (a full disk, a removed mount) is
 * reported once through `report`; the file is not written after it, and the sink goes on serving.
 */
export class NdjsonFile {
  private failed = false;

  private constructor(private readonly stream: WriteStream) {}

  static async open(path: string, report: (error: MetaRouterError) => void): Promise<NdjsonFile> {
    let handle;
    try {
      handle = await open(path, 'a');
    } catch (error) {
      const { text, cause } = readThrown(error);
      throw new ConfigurationError('out', `out is invalid, cannot append to ${path}: ${text}`, { cause });
    }
    const file = new NdjsonFile(createWriteStream(path, { fd: handle }));
    file.stream.on('error', (error) => {
      if (file.failed) return;
      file.failed = true;
      report(new MetaRouterError('MR_ERR_SINK_WRITE_FAILED', `writing ${path} failed (${error.message}); later messages are kept in memory only`, { cause: error }));
    });
    return file;
  }

  /** Appends one line per message. */
  write(messages: readonly Record<string, unknown>[]): void {
    if (this.failed || messages.length === 0) return;
    this.stream.write(messages.map((message) => `${JSON.stringify(message)}\n`).join(''));
  }

  /** Flushes what is buffered and closes the file; never rejects. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
      this.stream.once('error', () => resolve());
    });
  }
}
