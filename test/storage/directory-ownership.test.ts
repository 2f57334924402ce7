import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigurationError } from '../../src/index.js';
import { unsafeDirectoryReason } from '../../src/storage/directory-safety.js';
import { deliveryTo } from '../helpers/delivery-harness.js';

const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-ownership-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);
const uid = process.getuid!();

/** Opens a delivery over `directory`, expecting a ConfigurationError on storage.directory whose message matches `why`; nothing may be created in it. */
function assertRefused(directory: string, why: RegExp): void {
  const before = readdirSync(directory);
  assert.throws(
    () => deliveryTo('http://127.0.0.1:9', { storage: { directory } }),
    (error: unknown) => error instanceof ConfigurationError && error.option === 'storage.directory' && why.test(error.message),
  );
  assert.deepEqual(readdirSync(directory), before, 'nothing created in a directory refused');
}

test('an existing directory writable by group or others, sticky or not, is refused at construction with what to fix', () => {
  for (const mode of [0o777, 0o1777, 0o770, 0o702]) {
    const directory = freshDir();
    mkdirSync(directory);
    chmodSync(directory, mode);
    assertRefused(directory, new RegExp(`writable by (group|others|group and others) \\(mode 0${mode.toString(8)}\\).*chmod go-w`));
  }
});

test('a symlinked path is judged by the directory it names', () => {
  const directory = freshDir();
  mkdirSync(directory);
  chmodSync(directory, 0o777);
  const link = freshDir();
  symlinkSync(directory, link);
  assertRefused(link, /writable by group and others \(mode 0777\)/);
});

test('an existing directory owned by another user is refused with what to fix', { skip: uid !== 0 && 'only root can give a directory away' }, () => {
  const directory = freshDir();
  mkdirSync(directory, { mode: 0o700 });
  chownSync(directory, 4242, 4242);
  assertRefused(directory, /owned by uid 4242, not by this process \(uid 0\) or root.*chown/);
});

test('a directory of this user or root, not writable by others, is accepted; one created is 0700', async () => {
  const created = join(freshDir(), 'a');
  const first = deliveryTo('http://127.0.0.1:9', { storage: { directory: created } });
  assert.equal(statSync(created).mode & 0o7777, 0o700);
  await first.delivery.shutdown(0);
  for (const mode of [0o700, 0o755, 0o1755]) {
    const directory = freshDir();
    mkdirSync(directory);
    chmodSync(directory, mode);
    const { delivery } = deliveryTo('http://127.0.0.1:9', { storage: { directory } });
    await delivery.shutdown(0);
  }
});

test('the rule, as a table: owner this process or root; no write bit for group or others', () => {
  const cases: Array<[string, { uid: number; mode: number }, number, RegExp | undefined]> = [
    ['own, 0700', { uid: 1000, mode: 0o40700 }, 1000, undefined],
    ['root-owned, 0755, process not root', { uid: 0, mode: 0o40755 }, 1000, undefined],
    ['another user', { uid: 1001, mode: 0o40700 }, 1000, /owned by uid 1001, not by this process \(uid 1000\) or root/],
    ['group-writable', { uid: 1000, mode: 0o40770 }, 1000, /writable by group \(mode 0770\)/],
    ['world-writable and sticky', { uid: 1000, mode: 0o41777 }, 1000, /writable by group and others \(mode 01777\)/],
    ['not a directory', { uid: 1000, mode: 0o100600 }, 1000, /not a directory/],
  ];
  for (const [name, facts, processUid, expected] of cases) {
    const reason = unsafeDirectoryReason(facts, processUid);
    if (expected === undefined) assert.equal(reason, undefined, name);
    else assert.match(reason ?? '', expected, name);
  }
});
