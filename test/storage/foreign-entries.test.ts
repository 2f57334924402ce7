import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openSpool, readAll } from '../helpers/spool-dir.js';

// Not spoolDirs(): links here point at paths under the root itself, and the counter names them.
const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-foreign-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);

/** Writes `count` messages and closes, leaving them unacknowledged in `segment-0000000001.log`. */
function writeSpool(directory: string, count: number, prefix = 'm'): string[] {
  const { spool } = openSpool(directory);
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  for (const id of ids) assert.equal(typeof spool.append(id, JSON.stringify({ messageId: id }), false), 'object');
  spool.close();
  return ids;
}

/** Lets the reports deferred to a microtask arrive. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a directory, a dangling symlink and a symlink to a real segment elsewhere, named like segments, are skipped and reported: start-up goes on, only the real segments are read, new ones are written past them', async () => {
  const directory = freshDir();
  const ids = writeSpool(directory, 5);
  // A spool elsewhere whose records must never be read through a link.
  const elsewhere = freshDir();
  writeSpool(elsewhere, 3, 'foreign');
  mkdirSync(join(directory, 'segment-0000000002.log'));
  symlinkSync(join(root, 'nowhere'), join(directory, 'segment-0000000003.log'));
  symlinkSync(join(elsewhere, 'segment-0000000001.log'), join(directory, 'segment-0000000004.log'));
  const { spool, errors } = openSpool(directory);
  await settle();
  assert.deepEqual(readAll(spool).map((record) => record.messageId), ids);
  assert.equal(typeof spool.append('new', JSON.stringify({ messageId: 'new' }), false), 'object');
  assert.deepEqual(readAll(spool).map((record) => record.messageId), ['new']);
  spool.close();
  assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_ENTRY_SKIPPED', 'MR_ERR_STORAGE_ENTRY_SKIPPED', 'MR_ERR_STORAGE_ENTRY_SKIPPED']);
  for (const [i, name] of ['segment-0000000002.log', 'segment-0000000003.log', 'segment-0000000004.log'].entries()) {
    assert.match(errors[i]!.message, new RegExp(`^${name.replace('.', '\\.')} in .* is (a directory|a symbolic link), not a segment file`));
  }
  assert.ok(lstatSync(join(directory, 'segment-0000000002.log')).isDirectory(), 'left in place');
  assert.ok(lstatSync(join(directory, 'segment-0000000003.log')).isSymbolicLink(), 'left in place');
  assert.deepEqual(readdirSync(elsewhere).sort(), ['ack', 'segment-0000000001.log'], 'nothing written through the link');
});

test('a non-regular entry named like a segment behind the cursor is skipped, not removed and not fatal', async () => {
  const directory = freshDir();
  const { spool } = openSpool(directory);
  const first = spool.append('a', '{"messageId":"a"}', false);
  assert.ok(typeof first === 'object');
  spool.close();
  const again = openSpool(directory);
  assert.deepEqual(readAll(again.spool).map((record) => record.messageId), ['a']);
  again.spool.settle({ segment: 0, offset: 0 }, first);
  again.spool.close();
  mkdirSync(join(directory, 'segment-0000000000.log'));
  const third = openSpool(directory);
  await settle();
  assert.deepEqual(third.errors.map((error) => error.code), ['MR_ERR_STORAGE_ENTRY_SKIPPED']);
  assert.deepEqual(readAll(third.spool), []);
  third.spool.close();
  assert.ok(lstatSync(join(directory, 'segment-0000000000.log')).isDirectory());
});

for (const kind of ['a symlink to a file outside the directory', 'a dangling symlink', 'a directory'] as const) {
  test(`an ack that is ${kind} is never opened through: set aside and reported, the spool sent again from its oldest record (duplicates, never loss)`, async () => {
    const directory = freshDir();
    const ids = writeSpool(directory, 4);
    const outside = join(root, `outside-${dirs}`);
    rmSync(join(directory, 'ack'));
    if (kind === 'a directory') mkdirSync(join(directory, 'ack'));
    else symlinkSync(outside, join(directory, 'ack'));
    if (kind === 'a symlink to a file outside the directory') writeFileSync(outside, 'precious');
    const { spool, errors } = openSpool(directory);
    const records = readAll(spool);
    assert.deepEqual(records.map((record) => record.messageId), ids);
    spool.settle({ segment: 0, offset: 0 }, records.at(-1)!.position);
    spool.close();
    await settle();
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_STORAGE_ENTRY_SKIPPED']);
    assert.match(errors[0]!.message, /ack is (a symbolic link|a directory).*renamed ack\.skipped-\d+/);
    if (kind === 'a symlink to a file outside the directory') assert.equal(readFileSync(outside, 'utf8'), 'precious', 'nothing written through the link');
    else assert.deepEqual(readdirSync(root).filter((name) => name.startsWith(`outside-${dirs}`)), [], 'nothing created through the link');
    assert.ok(lstatSync(join(directory, 'ack')).isFile(), 'a fresh ack file');
    const set = readdirSync(directory).filter((name) => name.startsWith('ack.skipped-'));
    assert.equal(set.length, 1);
    // The cursor lives in the new file: a restart sends nothing again.
    const restart = openSpool(directory);
    assert.deepEqual(readAll(restart.spool), []);
    restart.spool.close();
  });
}

test('a lock that is a symbolic link or a FIFO is not read through (nor waited on): refused as a lock that cannot be proven stale, with the path to remove', () => {
  const target = join(root, 'lock-target');
  writeFileSync(target, '2147483646\nanother-host\n');
  const cases: Array<[string, (lock: string) => void]> = [
    ['a symbolic link', (lock) => symlinkSync(target, lock)],
    ['a FIFO', (lock) => execFileSync('mkfifo', [lock])],
  ];
  for (const [name, make] of cases) {
    const directory = freshDir();
    mkdirSync(directory);
    make(join(directory, 'lock'));
    assert.throws(() => openSpool(directory), /in use by an unreadable lock file \(remove .*lock if no process uses the directory\)/, name);
    assert.equal(readFileSync(target, 'utf8'), '2147483646\nanother-host\n');
  }
});
