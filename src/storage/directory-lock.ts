import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const LOCK_FILE = 'lock';
/** Directories locked by this process: a second instance here is refused like a second process. */
const lockedHere = new Set<string>();

/** Why a directory could not be taken; `holder` names the live process that owns it. */
export class DirectoryInUse extends Error {
  constructor(readonly holder: string) {
    super(`in use by ${holder}`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner a lock file names, or undefined when it names nobody alive on this host. */
function liveOwner(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, host] = text.split('\n');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 0 || host !== hostname()) return undefined;
  // Our own pid in a lock this process does not hold: a dead predecessor had it (containers reuse pids).
  if (pid === process.pid) return undefined;
  return isAlive(pid) ? `process ${pid}` : undefined;
}

/**
 * Takes `directory` for this process: a `lock` file names its pid and host. A lock left by a process
 * that is gone is taken over. Throws `DirectoryInUse` when a live process (or another instance in
 * this one) holds it, and the file-system error when the lock cannot be written.
 * Returns the release function.
 */
export function lockDirectory(directory: string): () => void {
  if (lockedHere.has(directory)) throw new DirectoryInUse('another instance in this process');
  const path = join(directory, LOCK_FILE);
  let fd: number;
  try {
    // Exclusive create: of two processes starting together, one gets the file.
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = liveOwner(path);
    if (owner !== undefined) throw new DirectoryInUse(owner);
    unlinkSync(path);
    fd = openSync(path, 'wx', 0o600);
  }
  try {
    writeSync(fd, `${process.pid}\n${hostname()}\n`);
  } finally {
    closeSync(fd);
  }
  lockedHere.add(directory);
  return () => {
    lockedHere.delete(directory);
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
