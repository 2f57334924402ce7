import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { DirectoryInUse, lockDirectory } from '../../src/storage/directory-lock.js';
import { Spool } from '../../src/storage/spool.js';

/** The lock as compiled beside this test, loaded again by a worker: another copy of the module in this process. */
const LOCK = resolve(__dirname, '..', '..', 'src', 'storage', 'directory-lock.js');

const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-twice-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);

const open = (directory: string) => new Spool({ directory, maxBytes: 4 * 1024 * 1024, syncInterval: 0 }, () => {});

test('a second instance in this process on the same directory through a symlinked path is refused, and leaves the first one its lock', () => {
  const directory = freshDir();
  const link = freshDir();
  symlinkSync(directory, link);
  const first = open(directory);
  const lock = readFileSync(join(directory, 'lock'), 'utf8');
  assert.throws(() => open(link), (error: unknown) => error instanceof DirectoryInUse && error.holder === 'another instance in this process');
  assert.throws(() => open(join(link, '.', '..', `d${dirs - 2}`)), DirectoryInUse, 'a path with dot segments');
  assert.equal(readFileSync(join(directory, 'lock'), 'utf8'), lock, 'the first one still holds its lock');
  first.close();
  assert.equal(existsSync(join(directory, 'lock')), false);
  const again = open(link);
  again.close();
});

test('another copy of the lock module in this process (a worker thread) sees the directory held by this process: its own pid is not stale', async () => {
  const directory = freshDir();
  mkdirSync(directory);
  const release = lockDirectory(directory);
  try {
    const outcome = await new Promise<string>((resolveOutcome, reject) => {
      const worker = new Worker(
        `const { parentPort, workerData } = require('node:worker_threads');
        const { lockDirectory } = require(workerData.lock);
        try { lockDirectory(workerData.directory); parentPort.postMessage('owner'); } catch (error) { parentPort.postMessage('refused: ' + error.message); }`,
        { eval: true, workerData: { lock: LOCK, directory } },
      );
      worker.once('message', resolveOutcome);
      worker.once('error', reject);
    });
    assert.equal(outcome, 'refused: in use by another instance in this process');
  } finally {
    release();
  }
});

test('a lock naming this pid that this process does not hold (a dead predecessor: containers reuse pids) is taken over', () => {
  for (const content of [`${process.pid}\n${hostname()}\n`, `${process.pid}\n${hostname()}\n1\n`]) {
    const directory = freshDir();
    mkdirSync(directory);
    writeFileSync(join(directory, 'lock'), content);
    const release = lockDirectory(directory);
    assert.notEqual(readFileSync(join(directory, 'lock'), 'utf8'), content);
    release();
  }
});

test('release removes only the lock this instance wrote', () => {
  const directory = freshDir();
  mkdirSync(directory);
  const release = lockDirectory(directory);
  rmSync(join(directory, 'lock'));
  const other = `2147483646\n${hostname()}\n`;
  writeFileSync(join(directory, 'lock'), other);
  release();
  assert.equal(readFileSync(join(directory, 'lock'), 'utf8'), other);
});
