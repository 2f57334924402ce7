import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import type { DeliveryError } from '../../src/errors/metarouter-error.js';
import { Spool } from '../../src/storage/spool.js';
import { openSpool, readAll, spoolDirs } from '../helpers/spool-dir.js';

const freshDir = spoolDirs('format');

/** The committed spool written before segments carried a version; compiled tests run from build/test/storage. */
const LEGACY_FIXTURE = join(__dirname, '..', '..', '..', 'test', 'storage', 'fixtures', 'legacy-spool');

/** A copy of the legacy fixture to open: a spool writes its lock and ack into its directory. */
function legacyCopy(): string {
  const directory = freshDir();
  cpSync(LEGACY_FIXTURE, directory, { recursive: true });
  return directory;
}

const legacyId = (n: number) => `legacy-${String(n).padStart(2, '0')}-é`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** What the fixture's README says a start must deliver: past the cursor (message 4), less the settled 10 to 12. */
const LEGACY_UNSETTLED = [...range(5, 9), ...range(13, 29)].map(legacyId);

const segments = (directory: string) => readdirSync(directory).filter((name) => /^segment-\d{10}\.log$/.test(name)).sort();

/** Lets the reports deferred to a microtask arrive. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A segment header as the format documents it: "MRSP", version u16, reserved u16, CRC-32 of those 8 bytes. */
function header(version: number): Buffer {
  const bytes = Buffer.alloc(12);
  bytes.write('MRSP', 0, 'latin1');
  bytes.writeUInt16LE(version, 4);
  bytes.writeUInt32LE(crc32(bytes.subarray(0, 8)), 8);
  return bytes;
}

test('a spool written before segments carried a version (the committed fixture) still recovers: exactly the unsettled messages, in order, with their JSON', async () => {
  const directory = legacyCopy();
  const { spool, errors } = openSpool(directory);
  const records = readAll(spool);
  await tick();
  assert.deepEqual(records.map((record) => record.messageId), LEGACY_UNSETTLED);
  assert.ok(records.every((record) => record.recovered));
  assert.deepEqual(JSON.parse(records[0]!.json).properties.n, 5);
  assert.equal(JSON.parse(records.at(-1)!.json).properties.pad.length, 900 + 13 * 29);
  assert.deepEqual(errors, []);
  spool.close();
});

test('new segments start with a header naming their format version, written with the first record: a segment with no record stays empty', () => {
  const directory = freshDir();
  const { spool } = openSpool(directory);
  spool.close();
  assert.deepEqual(segments(directory), [], 'an empty segment is removed at close, as before');
  const second = openSpool(directory);
  const first = second.spool.append('m0', '{"messageId":"m0"}', false);
  assert.ok(typeof first === 'object');
  second.spool.append('m1', '{"messageId":"m1"}', false);
  second.spool.close();
  const [name] = segments(directory);
  const bytes = readFileSync(join(directory, name!));
  assert.deepEqual(bytes.subarray(0, 12), header(1));
  assert.equal(bytes.readUInt32LE(12) + 8 + 12, first.offset, 'the first record follows the header; positions are file offsets');
});

test('a legacy spool taken over: new messages go to a versioned segment after the legacy ones, and a restart reads both, in order; acknowledged segments of either kind are deleted', async () => {
  const directory = legacyCopy();
  const first = openSpool(directory);
  const recovered = readAll(first.spool);
  for (let i = 0; i < 3; i++) first.spool.append(`new-${i}`, JSON.stringify({ messageId: `new-${i}` }), false);
  first.spool.close();
  assert.deepEqual(segments(directory), ['segment-0000000001.log', 'segment-0000000002.log', 'segment-0000000003.log']);
  assert.equal(readFileSync(join(directory, 'segment-0000000003.log')).subarray(0, 4).toString('latin1'), 'MRSP');
  const second = openSpool(directory);
  const records = readAll(second.spool);
  assert.deepEqual(records.map((record) => record.messageId), [...LEGACY_UNSETTLED, 'new-0', 'new-1', 'new-2']);
  second.spool.settle(second.spool.cursor, records.at(-1)!.position);
  second.spool.append('later', '{"messageId":"later"}', false);
  second.spool.settle(records.at(-1)!.position, second.spool.end);
  second.spool.close();
  await tick();
  assert.deepEqual(recovered.map((record) => record.messageId), LEGACY_UNSETTLED);
  assert.deepEqual(segments(directory), ['segment-0000000004.log'], 'every acknowledged segment, legacy and versioned, is gone');
  assert.deepEqual([...first.errors, ...second.errors], []);
});

test('a segment of a format version not known here is reported MR_ERR_STORAGE_UNKNOWN_FORMAT, never read, never deleted; the others are read and new segments are numbered past it', async () => {
  const directory = legacyCopy();
  const future = Buffer.concat([header(7), Buffer.from('records of a newer format')]);
  writeFileSync(join(directory, 'segment-0000000002.log'), future);
  const { spool, errors } = openSpool(directory);
  const records = readAll(spool);
  await tick();
  assert.deepEqual(records.map((record) => record.messageId), LEGACY_UNSETTLED.filter((id) => Number(id.slice(7, 9)) <= 26));
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_UNKNOWN_FORMAT']);
  assert.match(errors[0]!.message, /segment-0000000002\.log .*version 7.*neither read nor removed/);
  spool.settle(spool.cursor, records.at(-1)!.position);
  const written = spool.append('new', '{"messageId":"new"}', false);
  assert.ok(typeof written === 'object');
  assert.equal(written.segment, 3);
  spool.settle(records.at(-1)!.position, written);
  spool.close();
  assert.deepEqual(readFileSync(join(directory, 'segment-0000000002.log')), future, 'left as it was');
  const again = openSpool(directory);
  await tick();
  assert.deepEqual(again.errors.map((error) => error.code), ['MR_ERR_STORAGE_UNKNOWN_FORMAT'], 'reported at each start, still there');
  again.spool.close();
  assert.ok(existsSync(join(directory, 'segment-0000000002.log')));
});

test('a damaged header (a flipped bit, or a file torn inside it) is damage at offset 0: reported, the records after it are read, the file kept as .corrupt', async () => {
  for (const damage of ['flipped version', 'flipped magic', 'torn']) {
    const directory = freshDir();
    const writer = openSpool(directory);
    const ids = ['a', 'b', 'c'];
    for (const id of ids) writer.spool.append(id, JSON.stringify({ messageId: id }), false);
    writer.spool.close();
    const file = join(directory, 'segment-0000000001.log');
    const bytes = readFileSync(file);
    if (damage === 'flipped version') bytes[4]! ^= 0x02;
    if (damage === 'flipped magic') bytes[1]! ^= 0x40;
    writeFileSync(file, damage === 'torn' ? bytes.subarray(0, 3) : bytes);
    const { spool, errors } = openSpool(directory);
    const records = readAll(spool);
    await tick();
    assert.deepEqual(records.map((record) => record.messageId), damage === 'torn' ? [] : ids, damage);
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_CORRUPT'], damage);
    if (records.length > 0) {
      spool.settle(spool.cursor, records.at(-1)!.position);
      spool.append('next', '{"messageId":"next"}', false);
      spool.settle(records.at(-1)!.position, spool.end);
      assert.ok(existsSync(`${file}.corrupt`), `${damage}: set aside once acknowledged`);
    }
    spool.close();
  }
});

test('a legacy segment whose first record is damaged into the header magic is not taken for a header: the records after it are read and the damage reported', async () => {
  const directory = legacyCopy();
  const file = join(directory, 'segment-0000000001.log');
  const bytes = readFileSync(file);
  bytes.write('MRSP', 0, 'latin1');
  writeFileSync(file, bytes);
  // The cursor would start the reader past the damage: without an ack, everything is read from the oldest record.
  rmSync(join(directory, 'ack'));
  const { spool, errors } = openSpool(directory);
  const records = readAll(spool);
  await tick();
  assert.deepEqual(records.map((record) => record.messageId), range(1, 29).map(legacyId));
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_CORRUPT']);
  spool.close();
});

test('a legacy segment with a torn first record shorter than a header is cut off and reported, never mistaken for a header', async () => {
  const directory = freshDir();
  mkdirSync(directory, { mode: 0o700 });
  writeFileSync(join(directory, 'segment-0000000001.log'), readFileSync(join(LEGACY_FIXTURE, 'segment-0000000001.log')).subarray(0, 7));
  const { spool, errors } = openSpool(directory);
  assert.deepEqual(readAll(spool), []);
  await tick();
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_CORRUPT']);
  assert.match(errors[0]!.message, /torn record/);
  spool.close();
});

test('storage.maxBytes counts records, not segment headers: room for N records of the largest size, as the bridge checks it, takes N such records', () => {
  const id = 'é'.repeat(100);
  const json = JSON.stringify({ messageId: 'x', pad: '' }).replace('""', `"${'x'.repeat(32 * 1024 - 25)}"`);
  const record = 10 + Buffer.byteLength(id) + Buffer.byteLength(json);
  const errors: DeliveryError[] = [];
  const spool = new Spool({ directory: freshDir(), maxBytes: 2 * record, syncInterval: 0 }, (error) => errors.push(error));
  assert.equal(spool.freeBytes, 2 * record);
  assert.equal(typeof spool.append(id, json, false), 'object');
  assert.equal(spool.freeBytes, record);
  const second = spool.append(id, json, false);
  assert.ok(typeof second === 'object', 'the second record starts a new segment, with its header');
  assert.equal(second.segment, 2);
  assert.equal(spool.freeBytes, 0);
  assert.equal(spool.append('one-more', '{}', false), 'full');
  spool.close();
  assert.deepEqual(errors, []);
});

test('the header costs no extra call: one write(2) per appended record, the first of each segment included', () => {
  const directory = freshDir();
  let writes = 0;
  const spool = new Spool(
    {
      directory,
      // The smallest segments (about 33 KiB): three records each.
      maxBytes: 256 * 1024,
      syncInterval: 0,
      io: {
        writeSync: (fd, buffer, offset, length, position) => {
          writes++;
          return writeSync(fd, buffer, offset, length, position);
        },
      },
    },
    () => {},
  );
  const json = (i: number) => JSON.stringify({ messageId: `m${i}`, pad: 'x'.repeat(10 * 1024) });
  for (let i = 0; i < 20; i++) assert.equal(typeof spool.append(`m${i}`, json(i), false), 'object');
  spool.close();
  assert.ok(segments(directory).length >= 5, 'several segments, each started by an append');
  assert.equal(writes, 20);
});
