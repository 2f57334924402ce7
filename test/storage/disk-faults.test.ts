import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Analytics, ConfigurationError } from '../../src/index.js';
import type { DeliveryError } from '../../src/errors/metarouter-error.js';
import { Spool, type SpoolIo } from '../../src/storage/spool.js';
import { deliveryTo, trackMessage } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';

const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-faults-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

test('a missing directory is created (with its parents), owner-only', async () => {
  const server = await startIngestServer();
  const directory = join(freshDir(), 'a', 'b');
  const analytics = new Analytics({ writeKey: 'k', host: server.url, storage: { directory } });
  try {
    const id = analytics.track({ userId: 'u', event: 'E' });
    await analytics.flush();
    assert.deepEqual(server.accepted.map((message) => message.messageId), [id]);
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
});

test('a directory that cannot serve is a ConfigurationError at construction, naming the option and the cause', () => {
  const file = join(root, 'a-file');
  writeFileSync(file, 'not a directory');
  const cases: Array<[string, string, Partial<SpoolIo> | undefined, RegExp]> = [
    ['the path is a file', file, undefined, /EEXIST|ENOTDIR/],
    ['a parent is a file', join(file, 'spool'), undefined, /ENOTDIR/],
    ['permission denied', freshDir(), { openSync: () => { throw errno('EACCES'); } }, /EACCES/],
    ['read-only file system', freshDir(), { openSync: () => { throw errno('EROFS'); } }, /EROFS/],
    ['no space left at start', freshDir(), { openSync: () => { throw errno('ENOSPC'); } }, /ENOSPC/],
  ];
  for (const [name, directory, storageIo, cause] of cases) {
    assert.throws(
      () => deliveryTo('http://127.0.0.1:9', { storage: { directory }, storageIo }),
      (error: unknown) => error instanceof ConfigurationError && error.option === 'storage.directory' && cause.test(error.message) && error.code === 'MR_ERR_INVALID_OPTION',
      name,
    );
  }
  for (const directory of ['', '   ', 'a\0b', 42]) {
    assert.throws(() => new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', storage: { directory: directory as string } }), ConfigurationError);
  }
  assert.throws(() => new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', storage: { directory: freshDir(), maxBytes: 10 } }), /storage.maxBytes is invalid/);
  assert.throws(() => new Analytics({ writeKey: 'k', host: 'http://127.0.0.1:9', storage: { directory: freshDir(), syncInterval: -1 } }), /storage.syncInterval is invalid/);
});

for (const code of ['ENOSPC', 'EIO', 'EACCES']) {
  test(`${code} while running (disk full, I/O error, permission lost): reported once as MR_ERR_STORAGE_FAULT, every message still delivered from memory, storage used again once it works`, async () => {
    const server = await startIngestServer();
    let failing = false;
    const { delivery, errors } = deliveryTo(server.url, {
      storage: { directory: freshDir() },
      flushAt: 5,
      storageIo: {
        writeSync: (fd, buffer, offset, length, position) => {
          if (!failing) return writeSync(fd, buffer, offset, length, position);
          // A partial write first, as a filling disk does: the spool must cut it back.
          writeSync(fd, buffer, offset, 3, position);
          throw errno(code);
        },
      },
    });
    try {
      const messages = Array.from({ length: 30 }, (_, i) => trackMessage(`Fault ${i}`));
      for (const [i, message] of messages.entries()) {
        failing = i >= 10 && i < 20;
        assert.equal(delivery.enqueue(message), true, `message ${i} accepted`);
      }
      await delivery.flush();
      assert.deepEqual(server.accepted.map((message) => message.messageId).sort(), messages.map((message) => message.messageId).sort());
      assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT'], 'one report for the run of failures');
      assert.match(errors[0]!.message, new RegExp(`held in memory only: ${code}`));
      const { accepted, delivered, dropped, pending } = delivery.counters;
      assert.deepEqual({ accepted, delivered, dropped, pending }, { accepted: 30, delivered: 30, dropped: 0, pending: 0 });
    } finally {
      await delivery.shutdown(500);
      await server.close();
    }
  });
}

test('a torn record left by a failed write is cut back, and the records appended after it land where it was: a restart reads every stored record and reports nothing', async () => {
  const server = await startIngestServer(() => ({ status: 503 }));
  const directory = freshDir();
  let failing = false;
  const first = deliveryTo(server.url, {
    storage: { directory },
    storageIo: {
      writeSync: (fd, buffer, offset, length, position) => {
        if (!failing) return writeSync(fd, buffer, offset, length, position);
        writeSync(fd, buffer, offset, length - 1, position);
        throw errno('ENOSPC');
      },
    },
  });
  const before = [trackMessage('A'), trackMessage('B')];
  for (const message of before) first.delivery.enqueue(message);
  failing = true;
  first.delivery.enqueue(trackMessage('memory only'));
  failing = false;
  const after = [trackMessage('C'), trackMessage('D'), trackMessage('E')];
  for (const message of after) first.delivery.enqueue(message);
  await first.delivery.shutdown(50);
  await server.close();

  const up = await startIngestServer();
  const second = deliveryTo(up.url, { storage: { directory } });
  await new Promise((resolve) => setImmediate(resolve));
  await second.delivery.flush();
  assert.deepEqual(up.accepted.map((message) => message.messageId), [...before, ...after].map((message) => message.messageId));
  assert.deepEqual(second.errors, []);
  await second.delivery.shutdown(500);
  await up.close();
});

test('at the close deadline, messages held only in memory (their write to storage failed) are dropped, reported MR_ERR_SHUTDOWN_TIMEOUT and dead-lettered, not claimed kept in storage', async () => {
  const server = await startIngestServer(() => 'stall');
  const directory = freshDir();
  const deadLetterFile = join(freshDir() + '-dead.ndjson');
  const { delivery, errors } = deliveryTo(server.url, {
    storage: { directory },
    deadLetterFile,
    storageIo: { writeSync: () => { throw errno('ENOSPC'); } },
  });
  const messages = [trackMessage('X'), trackMessage('Y'), trackMessage('Z')];
  for (const message of messages) delivery.enqueue(message);
  await delivery.shutdown(200);
  await server.close();
  const ids = messages.map((message) => message.messageId);
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT', 'MR_ERR_SHUTDOWN_TIMEOUT']);
  assert.deepEqual(errors[1]!.messageIds, ids);
  const { accepted, delivered, dropped, pending } = delivery.counters;
  assert.deepEqual({ accepted, delivered, dropped, pending }, { accepted: 3, delivered: 0, dropped: 3, pending: 0 });
  const kept = readFileSync(deadLetterFile, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { messageId: string }).messageId);
  assert.deepEqual(kept, ids);
});

test('a lock file naming a dead process is taken over; a second instance on a directory in use is refused', async () => {
  const directory = freshDir();
  const first = deliveryTo('http://127.0.0.1:9', { storage: { directory } });
  assert.throws(() => deliveryTo('http://127.0.0.1:9', { storage: { directory } }), /in use by another instance in this process/);
  await first.delivery.shutdown(0);

  // A pid far above any live one: the owner is gone.
  const fd = openSync(join(directory, 'lock'), 'w');
  writeSync(fd, `2147483646\n${hostname()}\n`);
  closeSync(fd);
  const second = deliveryTo('http://127.0.0.1:9', { storage: { directory } });
  assert.match(readFileSync(join(directory, 'lock'), 'utf8'), new RegExp(`^${process.pid}\n${hostname()}\n`));
  await second.delivery.shutdown(0);
});

test('a lock that cannot be proven stale is held: empty (being written), unparsable, or a live pid on another host (a container sharing the volume)', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty', '', /unreadable lock file \(remove .*lock/],
    ['unparsable', 'garbage', /unreadable lock file/],
    ['another host', `${process.ppid}\nanother-container\n`, new RegExp(`process ${process.ppid} on host another-container \\(remove .*lock`)],
  ];
  for (const [name, content, why] of cases) {
    const directory = freshDir();
    mkdirSync(directory);
    writeFileSync(join(directory, 'lock'), content);
    assert.throws(() => deliveryTo('http://127.0.0.1:9', { storage: { directory } }), (error: unknown) => error instanceof ConfigurationError && why.test(error.message), name);
    assert.equal(readFileSync(join(directory, 'lock'), 'utf8'), content, `${name}: the lock is left as it was`);
  }
  // A lock never exists without its content: no temporary file is left behind either.
  const directory = freshDir();
  const { delivery } = deliveryTo('http://127.0.0.1:9', { storage: { directory } });
  assert.match(readFileSync(join(directory, 'lock'), 'utf8'), new RegExp(`^${process.pid}\n${hostname()}\n`));
  assert.deepEqual(readdirSync(directory).filter((file) => file.startsWith('lock')), ['lock']);
  await delivery.shutdown(0);
});

test('syncInterval: a segment roll inside an append syncs the finished segment in the background, never on the caller; a failed sync is reported and later rolls still work', () => {
  const directory = freshDir();
  const syncs: Array<(error: NodeJS.ErrnoException | null) => void> = [];
  const errors: DeliveryError[] = [];
  // maxBytes / 8 is under the largest record: a segment holds one 20 KiB record, so appends roll.
  const spool = new Spool({ directory, maxBytes: 256 * 1024, syncInterval: 60_000, io: { fdatasync: (_fd, callback) => syncs.push(callback) } }, (error) => errors.push(error));
  const json = (i: number) => JSON.stringify({ messageId: `m${i}`, pad: 'x'.repeat(20 * 1024) });
  const segments = () => readdirSync(directory).filter((name) => name.startsWith('segment-')).length;
  for (let i = 0; i < 4; i++) assert.equal(typeof spool.append(`m${i}`, json(i), false), 'object');
  assert.equal(segments(), 4);
  assert.equal(syncs.length, 3, 'one background sync per finished segment');
  syncs.shift()!(errno('EIO'));
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT']);
  for (const callback of syncs.splice(0)) callback(null);
  for (let i = 4; i < 8; i++) assert.equal(typeof spool.append(`m${i}`, json(i), false), 'object', `append ${i} after a failed sync`);
  for (const callback of syncs.splice(0)) callback(null);
  assert.deepEqual(spool.read(100).map((record) => record.messageId), Array.from({ length: 8 }, (_, i) => `m${i}`));
  spool.close();
});

test('Spool.close(): a failing close is reported, never thrown, and the directory is released for the next start', () => {
  const directory = freshDir();
  const opened: number[] = [];
  const errors: DeliveryError[] = [];
  const spool = new Spool({ directory, maxBytes: 1024 * 1024, syncInterval: 0, io: { openSync: (...args: Parameters<typeof openSync>) => { const fd = openSync(...args); opened.push(fd); return fd; } } }, (error) => errors.push(error));
  assert.equal(typeof spool.append('m', '{"messageId":"m"}', false), 'object');
  // The segment's fd closed behind the spool's back: its own close then fails with EBADF.
  closeSync(opened[0]!);
  assert.doesNotThrow(() => spool.close());
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_FAULT']);
  assert.match(errors[0]!.message, /EBADF/);
  const reopened = new Spool({ directory, maxBytes: 1024 * 1024, syncInterval: 0 }, () => {});
  assert.deepEqual(reopened.read(10).map((record) => record.messageId), ['m']);
  reopened.close();
});

test('syncInterval: a group sync at most once per interval in the background, never one per call; none when nothing was written', async () => {
  const server = await startIngestServer();
  const syncs: number[] = [];
  const { delivery } = deliveryTo(server.url, {
    storage: { directory: freshDir(), syncInterval: 40 },
    storageIo: {
      fdatasync: (_fd, callback) => {
        syncs.push(Date.now());
        callback(null);
      },
    },
  });
  try {
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 200; i++) delivery.enqueue(trackMessage(`Synced ${round}-${i}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const whileWriting = syncs.length;
    assert.ok(whileWriting >= 1 && whileWriting <= 10, `${whileWriting} syncs for 1000 calls in 5 rounds`);
    await delivery.flush();
    const settled = syncs.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(syncs.length, settled, 'no sync while nothing is written');
  } finally {
    await delivery.shutdown(500);
    await server.close();
  }
});
