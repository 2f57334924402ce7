import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
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

/**
 * Who holds the lock at `path`, or undefined when it names a process of this host that is gone.
 * Whatever cannot be proven stale (an empty or unreadable file, another host: a container sharing
 * the volume) counts as held: two owners would interleave appends.
 */
function liveOwner(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `an unreadable lock file (remove ${path} if no process uses the directory)`;
  }
  const [pidText, host] = text.split('\n');
  const pid = Number(pidText);
  if (pidText === '' || !Number.isSafeInteger(pid) || pid <= 0 || host === undefined || host === '') {
    return `an unreadable lock file (remove ${path} if no process uses the directory)`;
  }
  if (host !== hostname()) return `process ${pid} on host ${host} (remove ${path} if it is gone)`;
  // Our own pid in a lock this process does not hold: a dead predecessor had it (containers reuse pids).
  if (pid === process.pid) return undefined;
  return isAlive(pid) ? `process ${pid}` : undefined;
}

/** Creates `path` already holding `content`, or fails with EEXIST: no reader ever sees it empty. */
function createWithContent(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } finally {
    unlinkSync(temporary);
  }
}

/**
 * Takes `directory` for this process: a `lock` file names its pid and host. A lock left by a process
 * of this host that is gone is taken over. Throws `DirectoryInUse` when a live process (or another
 * instance in this one) holds it, or the lock cannot be proven stale, and the file-system error when
 * the lock cannot be written. Returns the release function.
 */
export function lockDirectory(directory: string): () => void {
  if (lockedHere.has(directory)) throw new DirectoryInUse('another instance in this process');
  const path = join(directory, LOCK_FILE);
  const content = `${process.pid}\n${hostname()}\n`;
  try {
    createWithContent(path, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = liveOwner(path);
    if (owner !== undefined) throw new DirectoryInUse(owner);
    unlinkSync(path);
    try {
      createWithContent(path, content);
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code === 'EEXIST') throw new DirectoryInUse('another process that took it over at the same moment');
      throw retryError;
    }
    // Two processes taking over one stale lock: the one whose file is no longer there backs off.
    if (readFileSync(path, 'utf8') !== content) throw new DirectoryInUse('another process that took it over at the same moment');
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
