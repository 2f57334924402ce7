import assert from 'node:assert/strict';
import { existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SpoolIo } from '../../src/storage/spool.js';
import { openSpool, readAll, spoolDirs } from '../helpers/spool-dir.js';

const freshDir = spoolDirs('read-faults');

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });
/** Lets the reports deferred to a microtask arrive. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Segments of about 33 KiB (the smallest), so that a few records make several. */
const MAX_BYTES = 256 * 1024;
const open = (directory: string, io?: Partial<SpoolIo>) => openSpool(directory, { maxBytes: MAX_BYTES, io });

/** Writes `count` messages of ~12 KiB (three segments for 6) and closes, leaving them unacknowledged. */
function writeSpool(directory: string, count: number): string[] {
  const { spool } = open(directory);
  const ids = Array.from({ length: count }, (_, i) => `m${i}`);
  for (const id of ids) assert.equal(typeof spool.append(id, JSON.stringify({ messageId: id, pad: 'x'.repeat(12 * 1024) }), false), 'object', id);
  spool.close();
  return ids;
}

const segments = (directory: string) => readdirSync(directory).filter((name) => name.startsWith('segment-')).sort();

/** A `readSync` that fails with `code` on an fd of the file whose name ends with `suffix`, told by the `openSync` beside it. */
function failingReadsOf(suffix: string, code: string): Partial<SpoolIo> {
  const targets = new Set<number>();
  return {
    openSync: ((...args: Parameters<typeof openSync>) => {
      const fd = openSync(...args);
      // fd numbers are reused once closed: only the latest open of each number counts.
      if (String(args[0]).endsWith(suffix)) targets.add(fd);
      else targets.delete(fd);
      return fd;
    }) as typeof openSync,
    readSync: (fd, buffer, offset, length, position) => {
      if (targets.has(fd)) throw errno(code);
      return readSync(fd, buffer, offset, length, position);
    },
  };
}

test('the ack file cannot be read at start (EIO): reported MR_ERR_STORAGE_FAULT, start-up goes on, and the spool is sent again from its oldest record', async () => {
  const directory = freshDir();
  const ids = writeSpool(directory, 4);
  const first = open(directory);
  const records = readAll(first.spool);
  // m0 delivered: its segment (m0, m1) stays, and m0 is sent again once the cursor cannot be read.
  first.spool.settle(first.spool.cursor, records[0]!.position);
  first.spool.close();
  const { spool, errors } = open(directory, failingReadsOf('/ack', 'EIO'));
  assert.deepEqual(readAll(spool).map((record) => record.messageId), ids, 'duplicates, never loss');
  await tick();
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT']);
  assert.match(errors[0]!.message, /acknowledgement cursor.*EIO/);
  spool.close();
});

test('a segment whose first bytes cannot be read at start is reported, left in place unread, and read by the next start', async () => {
  const directory = freshDir();
  const ids = writeSpool(directory, 6);
  const [oldest] = segments(directory);
  const faulty = open(directory, failingReadsOf(oldest!, 'EIO'));
  const records = readAll(faulty.spool);
  await tick();
  assert.deepEqual(faulty.errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT']);
  assert.match(faulty.errors[0]!.message, new RegExp(`could not read ${oldest!.replace('.', '\\.')}.*EIO`));
  assert.ok(records.length > 0 && records.length < ids.length, 'the other segments are read');
  assert.deepEqual(records.map((record) => record.messageId), ids.slice(ids.length - records.length));
  faulty.spool.close();
  assert.ok(existsSync(join(directory, oldest!)), 'never deleted');
  const healthy = open(directory);
  assert.deepEqual(readAll(healthy.spool).map((record) => record.messageId), ids);
  healthy.spool.close();
});

test('a segment that fails while being read (EIO) is reported once, skipped, and kept as .corrupt once acknowledged: never deleted unread in silence', async () => {
  const directory = freshDir();
  const ids = writeSpool(directory, 6);
  const [oldest] = segments(directory);
  let failing = false;
  const reads = failingReadsOf(oldest!, 'EIO');
  const { spool, errors } = open(directory, {
    openSync: reads.openSync!,
    readSync: (fd, buffer, offset, length, position) => (failing ? reads.readSync! : readSync)(fd, buffer, offset, length, position),
  });
  failing = true;
  const records = readAll(spool);
  assert.deepEqual(records.map((record) => record.messageId), ids.slice(ids.length - records.length));
  assert.ok(records.length < ids.length);
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT']);
  assert.match(errors[0]!.message, new RegExp(`could not read ${oldest!.replace('.', '\\.')}.*EIO`));
  spool.settle(spool.cursor, records.at(-1)!.position);
  spool.append('next', '{"messageId":"next"}', false);
  spool.settle(records.at(-1)!.position, spool.end);
  spool.close();
  assert.ok(existsSync(join(directory, `${oldest}.corrupt`)));
});

test('unlink of a delivered segment fails (EACCES): reported, never thrown, appends go on, and the next start removes it', async () => {
  const directory = freshDir();
  writeSpool(directory, 6);
  const before = segments(directory);
  const { spool, errors } = open(directory, { unlinkSync: () => { throw errno('EACCES'); } });
  const records = readAll(spool);
  assert.doesNotThrow(() => spool.settle(spool.cursor, records.at(-1)!.position));
  await tick();
  assert.ok(errors.length >= 1 && errors.every((error) => error.code === 'MR_ERR_STORAGE_FAULT'));
  assert.match(errors[0]!.message, /could not remove the delivered segment-.*EACCES/);
  assert.equal(spool.failing, false, 'storage still takes appends');
  assert.equal(typeof spool.append('after', '{"messageId":"after"}', false), 'object');
  spool.close();
  assert.ok(before.every((name) => segments(directory).includes(name)), 'left on disk');
  const next = open(directory);
  assert.deepEqual(readAll(next.spool).map((record) => record.messageId), ['after']);
  next.spool.close();
  await tick();
  assert.deepEqual(next.errors, []);
  assert.deepEqual(segments(directory).filter((name) => before.slice(0, -1).includes(name)), [], 'those behind the cursor removed by the next start');
});

test('unlink at start of a segment left behind the cursor fails: reported, start-up goes on', async () => {
  const directory = freshDir();
  writeSpool(directory, 6);
  const before = segments(directory);
  const first = open(directory, { unlinkSync: () => { throw errno('EBUSY'); } });
  const records = readAll(first.spool);
  first.spool.settle(first.spool.cursor, records.at(-1)!.position);
  first.spool.close();
  const { spool, errors } = open(directory, { unlinkSync: () => { throw errno('EBUSY'); } });
  await tick();
  assert.deepEqual(readAll(spool), []);
  assert.ok(errors.length >= 1 && errors.every((error) => error.code === 'MR_ERR_STORAGE_FAULT'));
  assert.match(errors[0]!.message, /could not remove the delivered segment-.*EBUSY.*next start/);
  spool.close();
  const clean = open(directory);
  clean.spool.close();
  assert.deepEqual(segments(directory).filter((name) => before.slice(0, -1).includes(name)), [], 'removed once unlink works');
});

test('rename of a damaged segment to .corrupt fails: reported, never thrown', async () => {
  const directory = freshDir();
  const ids = writeSpool(directory, 6);
  const [oldest] = segments(directory);
  const reads = failingReadsOf(oldest!, 'EIO');
  let failing = false;
  const { spool, errors } = open(directory, {
    openSync: reads.openSync!,
    readSync: (fd, buffer, offset, length, position) => (failing ? reads.readSync! : readSync)(fd, buffer, offset, length, position),
    renameSync: () => { throw errno('EROFS'); },
  });
  failing = true;
  const records = readAll(spool);
  assert.ok(records.length < ids.length);
  spool.append('next', '{"messageId":"next"}', false);
  assert.doesNotThrow(() => spool.settle(spool.cursor, spool.end));
  await tick();
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT', 'MR_ERR_STORAGE_FAULT']);
  assert.match(errors[1]!.message, new RegExp(`could not set ${oldest!.replace('.', '\\.')} aside.*EROFS`));
  spool.close();
  assert.ok(existsSync(join(directory, oldest!)), 'left under its name, behind the cursor, for the next start');
});
