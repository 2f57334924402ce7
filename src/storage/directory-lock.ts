import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const LOCK_FILE = 'lock';
/** A takeover marker older than this was left by a process that died inside a takeover (which takes microseconds). */
const ABANDONED_MARKER_MILLIS = 10_000;
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

/** Names one generation of the lock file: its content, inode and modification time; undefined once it is gone. */
function generationOf(path: string, text: string): string | undefined {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stat === undefined ? undefined : createHash('sha256').update(`${text}\0${stat.ino}\0${stat.mtimeNs}`).digest('hex').slice(0, 16);
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

const TAKEN_AT_THE_SAME_MOMENT = 'another process that took it over at the same moment';

/**
 * Replaces a stale lock with ours, excluding another process doing the same at the same instant:
 * whoever creates the marker file named for this generation of the lock (content, inode, mtime)
 * first, with link(2), which fails if it exists, is the only one that may remove that generation;
 * it checks that the lock is still that generation, replaces it, and only then removes the marker.
 * A process that got the marker after that sees another generation and backs off.
 */
function takeOver(path: string, content: string, retry = true): void {
  const text = readLock(path);
  if (text === undefined) {
    // Released meanwhile: take it as if free.
    try {
      createWithContent(path, content);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DirectoryInUse(TAKEN_AT_THE_SAME_MOMENT);
      throw error;
    }
  }
  const owner = liveOwner(path);
  if (owner !== undefined) throw new DirectoryInUse(owner);
  const generation = generationOf(path, text);
  if (generation === undefined) throw new DirectoryInUse(TAKEN_AT_THE_SAME_MOMENT);
  const marker = `${path}.takeover-${generation}`;
  try {
    createWithContent(marker, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = Date.now() - (statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (!retry || age < ABANDONED_MARKER_MILLIS || liveOwner(marker) !== undefined) throw new DirectoryInUse(TAKEN_AT_THE_SAME_MOMENT);
    // Left by a process that died inside a takeover: cleared, so that a restarted service is not refused for ever.
    rmSync(marker, { force: true });
    return takeOver(path, content, false);
  }
  try {
    if (readLock(path) !== text || generationOf(path, text) !== generation) throw new DirectoryInUse(TAKEN_AT_THE_SAME_MOMENT);
    unlinkSync(path);
    try {
      createWithContent(path, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DirectoryInUse(TAKEN_AT_THE_SAME_MOMENT);
      throw error;
    }
  } finally {
    try {
      unlinkSync(marker);
    } catch {
      // A marker left behind names a generation of the lock that no longer exists: it blocks nothing.
    }
  }
}

/** The lock file's text, or undefined when there is none. */
function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
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
    takeOver(path, content);
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
