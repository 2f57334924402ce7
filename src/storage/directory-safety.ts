import { statSync } from 'node:fs';

/** The facts about a directory that decide whether it may hold a spool: its owner and `st_mode`. */
export interface DirectoryFacts {
  readonly uid: number;
  readonly mode: number;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const GROUP_WRITE = 0o020;
const OTHERS_WRITE = 0o002;

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/**
 * Why a directory may not hold a spool, or undefined when it may. Its owner must be this process's
 * user or root: another user could replace its files. Neither group nor others may write to it,
 * sticky or not: the sticky bit stops them removing our files, not planting theirs (a segment of
 * forged messages sent with our writeKey, a symbolic link, a FIFO).
 */
export function unsafeDirectoryReason(facts: DirectoryFacts, processUid: number): string | undefined {
  if ((facts.mode & S_IFMT) !== S_IFDIR) return 'it is not a directory';
  if (facts.uid !== processUid && facts.uid !== 0) {
    return `it is owned by uid ${facts.uid}, not by this process (uid ${processUid}) or root: chown it to uid ${processUid}, or choose a directory of this user`;
  }
  const writers = [facts.mode & GROUP_WRITE ? 'group' : '', facts.mode & OTHERS_WRITE ? 'others' : ''].filter(Boolean).join(' and ');
  if (writers !== '') return `it is writable by ${writers} (mode ${octal(facts.mode)}), who could plant files in it: run chmod go-w on it, or choose a directory only this user can write`;
  return undefined;
}

/** Why a spool directory cannot be trusted. */
export class UnsafeDirectory extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Refuses `realDirectory` (a path with no symbolic link left in it) when another user could write to
 * it. Where the platform has no user ids (Windows), there is nothing to check.
 */
export function checkDirectorySafety(realDirectory: string): void {
  const processUid = process.getuid?.();
  if (processUid === undefined) return;
  const reason = unsafeDirectoryReason(statSync(realDirectory), processUid);
  if (reason !== undefined) throw new UnsafeDirectory(reason);
}
