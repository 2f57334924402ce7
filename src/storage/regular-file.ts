import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';

/** What an entry that is not a regular file is, said for a report. */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

/** A storage file's name that holds something other than a regular file: it is not opened through. */
export class NotRegularFile extends Error {
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}`);
  }
}

/**
 * Opens `path` only if it is a regular file itself: never through a symbolic link (`O_NOFOLLOW`),
 * never blocking on a FIFO (`O_NONBLOCK`, which regular files ignore). Throws `NotRegularFile`, or
 * the file-system error (ENOENT, EEXIST with `O_EXCL`, EACCES). `open` is the storage's file-access
 * seam, where tests inject faults.
 */
export function openRegular(path: string, flags: number, mode?: number, open: typeof openSync = openSync): number {
  let fd: number;
  try {
    fd = open(path, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ELOOP on Linux and macOS, EMLINK on FreeBSD: the name is a symbolic link.
    if (code === 'ELOOP' || code === 'EMLINK') throw new NotRegularFile(path, 'a symbolic link');
    if (code === 'EISDIR') throw new NotRegularFile(path, 'a directory');
    throw error;
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw new NotRegularFile(path, kindOf(stats));
  }
  return fd;
}
