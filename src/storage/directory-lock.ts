import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, linkSync, lstatSync, readFileSync, readSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { decodeLock, encodeLock, LOCK_FILE } from './format.js';
import { openRegular } from './regular-file.js';

/** A takeover marker older than this was left by a process that died inside a takeover (which takes microseconds). */
const ABANDONED_MARKER_MILLIS = 10_000;
/** Lock files (under real paths) held by this copy of the module: a second instance here is refused like a second process. */
const lockedHere = new Set<string>();
/** A lock file is a few dozen bytes: more is not a lock this package wrote. */
const MAX_LOCK_BYTES = 4096;
const IN_THIS_PROCESS = 'another instance in this process';

/**
 * Tells this process from an earlier one that had the same pid (containers reuse pids): the boot id
 * and the process's start time in clock ticks since boot. The same in every worker thread and every
 * copy of this module in the process, which `lockedHere` is not. Undefined where `/proc` is missing.
 */
function readProcessStart(): string | undefined {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: the start time is the 22nd field overall.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return bootId !== '' && startTicks !== undefined ? `${bootId}/${startTicks}` : undefined;
  } catch {
    return undefined;
  }
}

/** Read at the first lock, not when the module loads: an app without storage never pays for it. */
let processStart: { readonly value: string | undefined } | undefined;
const thisProcessStart = (): string | undefined => (processStart ??= { value: readProcessStart() }).value;

/** Why a directory could not be taken; `holder` names the live process that owns it. */
export class DirectoryInUse extends Error {
  constructor(readonly holder: string) {
    super(`in use by ${holder}`);
  }
}

const unreadable = (path: string) => `an unreadable lock file (remove ${path} if no process uses the directory)`;

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
  let text: string | undefined;
  try {
    text = readLock(path);
  } catch {
    return unreadable(path);
  }
  if (text === undefined) return undefined;
  const owner = decodeLock(text);
  if (owner === undefined) return unreadable(path);
  const { pid, host, start } = owner;
  if (host !== hostname()) return `process ${pid} on host ${host} (remove ${path} if it is gone)`;
  if (pid === process.pid) {
    // The start tells another copy of this module here (a worker thread) from a dead predecessor that had our pid (containers reuse pids).
    const ours = thisProcessStart();
    if (ours === undefined) return `this process (remove ${path} if no other instance in it uses the directory)`;
    return start === ours ? IN_THIS_PROCESS : undefined;
  }
  return isAlive(pid) ? `process ${pid}` : undefined;
}

/** Names one generation of the lock file: its content, inode and modification time; undefined once it is gone. */
function generationOf(path: string, text: string): string | undefined {
  const stat = lstatSync(path, { bigint: true, throwIfNoEntry: false });
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
  let text: string | undefined;
  try {
    text = readLock(path);
  } catch {
    throw new DirectoryInUse(unreadable(path));
  }
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
    const age = Date.now() - (lstatSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
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

/** The lock file's text, or undefined when there is none. Never read through a symbolic link, nor past `MAX_LOCK_BYTES`. Throws `NotRegularFile` or the file-system error. */
function readLock(path: string): string | undefined {
  let fd: number;
  try {
    fd = openRegular(path, constants.O_RDONLY);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/**
 * Takes `directory` for this process: a `lock` file names its pid, host and (where known) start
 * (layout: `format.ts`). A
 * lock left by a process of this host that is gone is taken over. The directory is known by its real
 * path, so that a symbolic link to it, or a path through one, is the same directory. Throws
 * `DirectoryInUse` when a live process (or another instance in this one) holds it, or the lock cannot
 * be proven stale, and the file-system error when the lock cannot be written. Returns the release
 * function, which removes the lock only while it is still this one.
 */
export function lockDirectory(directory: string): () => void {
  return takeLock(join(realpathSync(directory), LOCK_FILE));
}

/**
 * Takes `file` for this process as {@link lockDirectory} takes a directory, with a lock file beside
 * it (`FILE.lock`), in its directory's real path. Throws as {@link lockDirectory} does.
 */
export function lockBeside(file: string): () => void {
  return takeLock(join(realpathSync(dirname(file)), `${basename(file)}.lock`));
}

function takeLock(path: string): () => void {
  if (lockedHere.has(path)) throw new DirectoryInUse(IN_THIS_PROCESS);
  const content = encodeLock({ pid: process.pid, host: hostname(), start: thisProcessStart() });
  try {
    createWithContent(path, content);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    takeOver(path, content);
  }
  lockedHere.add(path);
  return () => {
    lockedHere.delete(path);
    try {
      // Removed by hand and taken by another process meanwhile: theirs stays.
      if (readLock(path) === content) unlinkSync(path);
    } catch {
      // Already gone, or no longer ours: nothing to release.
    }
  };
}
