import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSpool, readAll, spoolDirs } from '../helpers/spool-dir.js';

const freshDir = spoolDirs('torn');

/** Writes `count` messages (of varied sizes, some non-ASCII) and closes; returns their ids and record ends. */
function writeSpool(directory: string, count: number): { ids: string[]; ends: number[]; file: string } {
  const { spool } = openSpool(directory);
  const ids: string[] = [];
  const ends: number[] = [];
  for (let i = 0; i < count; i++) {
    const id = `msg-${i}-é`;
    const position = spool.append(id, JSON.stringify({ messageId: id, properties: { pad: 'x'.repeat(i * 7), city: 'Zürich' } }), false);
    assert.ok(typeof position === 'object');
    ids.push(id);
    ends.push(position.offset);
  }
  spool.close();
  const [segment] = readdirSync(directory).filter((name) => name.startsWith('segment-'));
  return { ids, ends, file: segment! };
}

test('a spool read back after a restart gives every record, in order, with its JSON intact', () => {
  const directory = freshDir();
  const { ids } = writeSpool(directory, 40);
  const { spool, errors } = openSpool(directory);
  const records = readAll(spool);
  assert.deepEqual(records.map((record) => record.messageId), ids);
  assert.ok(records.every((record) => record.recovered));
  assert.deepEqual(JSON.parse(records[3]!.json), { messageId: ids[3], properties: { pad: 'x'.repeat(21), city: 'Zürich' } });
  assert.equal(records[3]!.bytes, Buffer.byteLength(records[3]!.json));
  assert.deepEqual(errors, []);
  spool.close();
});

test('torn writes: the file cut at every byte offset of its last 3 records keeps every whole record, and reports the torn tail', () => {
  const source = freshDir();
  const { ids, ends, file } = writeSpool(source, 12);
  const from = ends[ends.length - 4]!;
  const to = ends.at(-1)!;
  for (let cut = from; cut <= to; cut++) {
    const directory = freshDir();
    cpSync(source, directory, { recursive: true });
    truncateSync(join(directory, file), cut);
    const { spool, errors } = openSpool(directory);
    const records = readAll(spool);
    const whole = ends.filter((end) => end <= cut).length;
    assert.deepEqual(records.map((record) => record.messageId), ids.slice(0, whole), `cut at ${cut}: every whole record kept`);
    const torn = !ends.includes(cut);
    assert.deepEqual(errors.map((error) => error.code), torn ? ['MR_ERR_STORAGE_CORRUPT'] : [], `cut at ${cut}: a torn tail is reported, a clean cut is not`);
    if (torn) assert.match(errors[0]!.message, new RegExp(`the ${cut - (ends[whole - 1] ?? 0)} bytes from there are cut off`));
    spool.close();
    rmSync(directory, { recursive: true });
  }
});

test('garbage appended after the last record (NUL runs, random bytes, a huge length): every record kept, the rest reported', () => {
  const garbage = [Buffer.alloc(4096), Buffer.from('{"batch":[]}\n'), Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8]), Buffer.from([3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 65])];
  for (const [index, tail] of garbage.entries()) {
    const directory = freshDir();
    const { ids, file } = writeSpool(directory, 5);
    appendFileSync(join(directory, file), tail);
    const { spool, errors } = openSpool(directory);
    assert.deepEqual(readAll(spool).map((record) => record.messageId), ids, `garbage ${index}: every record kept`);
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_CORRUPT'], `garbage ${index}: reported`);
    spool.close();
  }
});

test('a flipped byte inside a record: only that record is lost (its byte range reported), the records before and after it are sent, the segment is set aside as *.corrupt once they are acknowledged, and start-up goes on', () => {
  const directory = freshDir();
  const { ids, ends, file } = writeSpool(directory, 10);
  const path = join(directory, file);
  const bytes = readFileSync(path);
  bytes[ends[5]! + 20]! ^= 0x40;
  writeFileSync(path, bytes);

  const { spool, errors } = openSpool(directory);
  const records = readAll(spool);
  assert.deepEqual(records.map((record) => record.messageId), [...ids.slice(0, 6), ...ids.slice(7)]);
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_CORRUPT']);
  assert.match(errors[0]!.message, new RegExp(`offset ${ends[5]}: the ${ends[6]! - ends[5]!} bytes from there to offset ${ends[6]} are skipped`));
  // New messages still go in, after the corrupt segment.
  const position = spool.append('after', '{"messageId":"after"}', false);
  assert.ok(typeof position === 'object');
  assert.deepEqual(readAll(spool).map((record) => record.messageId), ['after']);
  spool.settle(spool.cursor, position);
  spool.close();
  assert.ok(existsSync(`${path}.corrupt`), 'the corrupt segment is kept aside');
  assert.ok(!existsSync(path));

  const reopened = openSpool(directory);
  assert.deepEqual(readAll(reopened.spool), [], 'nothing is sent twice');
  assert.deepEqual(reopened.errors, []);
  reopened.spool.close();
});

test('a damaged length field in the middle of a segment (a claimed record running past the end): the records after it are still sent', () => {
  const directory = freshDir();
  const { ids, ends, file } = writeSpool(directory, 10);
  const path = join(directory, file);
  const bytes = readFileSync(path);
  bytes.writeUInt32LE(bytes.length, ends[1]!);
  writeFileSync(path, bytes);

  const { spool, errors } = openSpool(directory);
  assert.deepEqual(readAll(spool).map((record) => record.messageId), [ids[0], ids[1], ...ids.slice(3)]);
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_CORRUPT']);
  assert.match(errors[0]!.message, new RegExp(`offset ${ends[1]}: the ${ends[2]! - ends[1]!} bytes`));
  spool.close();
});

test('an unreadable acknowledgement cursor sends the spool again from its oldest record: duplicates, never loss', async () => {
  const directory = freshDir();
  const { ids } = writeSpool(directory, 4);
  const first = openSpool(directory);
  const records = readAll(first.spool);
  first.spool.settle(first.spool.cursor, records[1]!.position);
  first.spool.close();
  const resumed = openSpool(directory);
  assert.deepEqual(readAll(resumed.spool).map((record) => record.messageId), ids.slice(2), 'the cursor is kept');
  resumed.spool.close();

  writeFileSync(join(directory, 'ack'), Buffer.from('garbage!garbage!'));
  const { spool, errors } = openSpool(directory);
  assert.deepEqual(readAll(spool).map((record) => record.messageId), ids);
  await new Promise((resolve) => queueMicrotask(() => resolve(undefined)));
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_CORRUPT']);
  spool.close();
});
