import { fdatasync, fdatasyncSync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';

/**
 * Every file-system call the spool and its ack file make on their files: opens, reads, writes, syncs,
 * truncation, unlink and rename. Tests replace any of them to inject a fault (ENOSPC, EIO, EACCES) or
 * to count calls, so that a failing read is as testable as a failing write.
 */
export interface StorageIo {
  openSync: typeof openSync;
  /** Always positional: a reader and a writer share no fd offset. */
  readSync: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => number;
  /** Always positional: after a failed write is cut back, the next record must land where the file ends, not at the fd's offset. */
  writeSync: (fd: number, buffer: Buffer, offset: number, length: number, position: number) => number;
  fdatasync: (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;
  fdatasyncSync: (fd: number) => void;
  ftruncateSync: (fd: number, length: number) => void;
  unlinkSync: (path: string) => void;
  renameSync: (from: string, to: string) => void;
}

/** `node:fs` itself, with any call in `overrides` replaced. */
export function storageIo(overrides?: Partial<StorageIo>): StorageIo {
  return { openSync, readSync, writeSync, fdatasync, fdatasyncSync, ftruncateSync, unlinkSync, renameSync, ...overrides };
}
