import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import { Spool, type Position, type SpooledRecord } from '../../src/storage/spool.js';
import { openSpool, readAll, spoolDirs } from '../helpers/spool-dir.js';

const freshDir = spoolDirs('settled');

/** A spool of `count` records `m0`… and where each ends; the spool is left open. */
function filled(directory: string, count: number): { spool: Spool; ends: Position[] } {
  const { spool } = openSpool(directory);
  const ends: Position[] = [];
  for (let i = 0; i < count; i++) {
    const position = spool.append(`m${i}`, JSON.stringify({ messageId: `m${i}`, i }), true);
    assert.ok(typeof position === 'object');
    ends.push(position);
  }
  return { spool, ends };
}

const ids = (records: SpooledRecord[]) => records.map((record) => record.messageId);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m${from + i}`);

test('batches settled past an unsettled front one are not read again by the next process; the cursor passes them once the front settles, across restarts', () => {
  const directory = freshDir();
  const { spool, ends } = filled(directory, 40);
  const start = spool.cursor;
  // Batches of 10: the front one waits, the others settle (out of order).
  spool.settle(ends[19]!, ends[29]!);
  spool.settle(ends[9]!, ends[19]!);
  assert.deepEqual(spool.cursor, start, 'the front batch holds the cursor');
  spool.close();

  const second = openSpool(directory);
  assert.deepEqual(ids(readAll(second.spool)), [...range(0, 10), ...range(30, 40)], 'only the records not settled are read');
  second.spool.close();

  // The ranges survive a restart that settles nothing, and the cursor moves over them once the front batch settles.
  const third = openSpool(directory);
  const records = readAll(third.spool);
  assert.deepEqual(ids(records), [...range(0, 10), ...range(30, 40)]);
  third.spool.settle(third.spool.cursor, records[9]!.position);
  assert.deepEqual(third.spool.cursor, ends[29], 'the cursor jumped over the settled ranges');
  third.spool.close();

  const fourth = openSpool(directory);
  assert.deepEqual(ids(readAll(fourth.spool)), range(30, 40));
  assert.deepEqual(fourth.errors, []);
  fourth.spool.close();
});

test('a torn write of the ack file, in either slot, cut at any byte or ending in garbage, leaves the state before it: the cursor is never lost', () => {
  const directory = freshDir();
  const { spool, ends } = filled(directory, 30);
  // Sequence 1 (slot at 1024): cursor past m9. Sequence 2 (slot at 0): the same cursor and the range m20..m24.
  spool.settle(spool.cursor, ends[9]!);
  spool.settle(ends[19]!, ends[24]!);
  spool.close();
  const ack = join(directory, 'ack');
  const two = readFileSync(ack);
  assert.equal(two.length, 1024 + 24, 'two slots, the second holding a cursor and no range');

  // Slot 0, the newest, torn in place: its first `cut` bytes written, the rest garbage.
  for (let cut = 0; cut < 24 + 16; cut++) {
    const torn = Buffer.from(two);
    torn.fill(0xa5, cut, 24 + 16);
    writeFileSync(ack, torn);
    const { spool: reopened, errors } = openSpool(directory);
    assert.deepEqual(ids(readAll(reopened)), range(10, 30), `slot 0 cut at ${cut}: the state of the write before`);
    assert.deepEqual(errors, [], `slot 0 cut at ${cut}: nothing to report`);
    reopened.close();
  }

  writeFileSync(ack, two);
  const third = openSpool(directory);
  const records = readAll(third.spool);
  assert.deepEqual(ids(records), [...range(10, 20), ...range(25, 30)]);
  // Sequence 3 (slot at 1024): cursor past m14, the range kept.
  third.spool.settle(third.spool.cursor, records[4]!.position);
  third.spool.close();
  const three = readFileSync(ack);
  assert.equal(three.length, 1024 + 24 + 16);
  for (let cut = 0; cut < 24 + 16; cut++) {
    writeFileSync(ack, three.subarray(0, 1024 + cut));
    const { spool: reopened, errors } = openSpool(directory);
    assert.deepEqual(ids(readAll(reopened)), [...range(10, 20), ...range(25, 30)], `slot 1024 cut at ${cut}: the state of the write before`);
    assert.deepEqual(errors, []);
    reopened.close();
  }
  writeFileSync(ack, three);
  const last = openSpool(directory);
  assert.deepEqual(ids(readAll(last.spool)), [...range(15, 20), ...range(25, 30)], 'whole, the newest state');
  last.spool.close();
});

test('an ack file of the first format (16 bytes: version 1, segment, offset, CRC-32) is read, then replaced', () => {
  const directory = freshDir();
  const { spool, ends } = filled(directory, 12);
  spool.close();
  const legacy = Buffer.alloc(16);
  legacy.writeUInt32LE(1, 0);
  legacy.writeUInt32LE(ends[4]!.segment, 4);
  legacy.writeUInt32LE(ends[4]!.offset, 8);
  legacy.writeUInt32LE(crc32(legacy.subarray(0, 12)), 12);
  writeFileSync(join(directory, 'ack'), legacy);

  const first = openSpool(directory);
  const records = readAll(first.spool);
  assert.deepEqual(ids(records), range(5, 12));
  first.spool.settle(first.spool.cursor, records[2]!.position);
  first.spool.close();
  const second = openSpool(directory);
  assert.deepEqual(ids(readAll(second.spool)), range(8, 12));
  second.spool.close();
});
