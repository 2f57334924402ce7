import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

/** The lock as compiled beside this test. */
const LOCK = resolve(__dirname, '..', '..', 'src', 'storage', 'directory-lock.js');
const ROUNDS = 12;
const CONTENDERS = 4;

const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-lock-race-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * A contender: spins until the agreed instant, tries to take the directory, prints the outcome, and
 * holds whatever it got until its stdin closes (so that no later contender finds it released).
 */
const CONTENDER = `
const { lockDirectory } = require(${JSON.stringify(LOCK)});
const [directory, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt));
let outcome;
try {
  lockDirectory(directory);
  outcome = 'owner';
} catch (error) {
  outcome = 'refused: ' + error.message;
}
process.stdout.write(outcome + '\\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
`;

/** The pid of a process of this host that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolveExit) => child.once('exit', resolveExit));
  return child.pid!;
}

function outcomeOf(child: ChildProcess): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) resolveLine(text.trim());
    });
    child.once('exit', (code) => reject(new Error(`contender exited (${code}) before it answered`)));
  });
}

test(`${CONTENDERS} processes taking over the same dead owner's lock at the same instant, ${ROUNDS} times: exactly one owns the directory each time`, { timeout: 120_000 }, async (t) => {
  const file = join(root, 'contender.js');
  writeFileSync(file, CONTENDER);
  const tally: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const directory = join(root, `d${round}`);
    mkdirSync(directory);
    writeFileSync(join(directory, 'lock'), `${await deadPid()}\n${hostname()}\n`);
    const startAt = Date.now() + 1500;
    const contenders = Array.from({ length: CONTENDERS }, () => spawn(process.execPath, [file, directory, String(startAt)], { stdio: ['pipe', 'pipe', 'inherit'] }));
    try {
      const outcomes = await Promise.all(contenders.map(outcomeOf));
      const owners = contenders.filter((_, i) => outcomes[i] === 'owner');
      assert.equal(owners.length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
      assert.match(readFileSync(join(directory, 'lock'), 'utf8'), new RegExp(`^${owners[0]!.pid}\n${hostname()}\n`), `round ${round}: the lock names the owner`);
      for (const outcome of outcomes.filter((line) => line !== 'owner')) assert.match(outcome, /^refused: in use by (process \d+|another process that took it over at the same moment)$/);
      assert.deepEqual(readdirSync(directory).sort(), ['lock'], `round ${round}: no marker or temporary file left`);
      tally.push(outcomes.map((line) => (line === 'owner' ? 'owner' : line.includes('same moment') ? 'same-moment' : 'live-owner')).join(' '));
    } finally {
      await Promise.all(
        contenders.map((child) => {
          const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
          child.stdin!.end();
          return exited;
        }),
      );
    }
  }
  t.diagnostic(tally.join(' | '));
});

test('a takeover marker left by a process that died inside a takeover refuses starts for 10 s, then is cleared and the directory taken over', async () => {
  const directory = join(root, 'abandoned');
  mkdirSync(directory);
  const lock = join(directory, 'lock');
  const text = `${await deadPid()}\n${hostname()}\n`;
  writeFileSync(lock, text);
  // The marker's name: the lock's generation (content, inode, modification time), as the takeover names it.
  const stat = statSync(lock, { bigint: true });
  const marker = `${lock}.takeover-${createHash('sha256').update(`${text}\0${stat.ino}\0${stat.mtimeNs}`).digest('hex').slice(0, 16)}`;
  writeFileSync(marker, `${await deadPid()}\n${hostname()}\n`);
  const { lockDirectory } = require(LOCK) as typeof import('../../src/storage/directory-lock.js');
  assert.throws(() => lockDirectory(directory), /another process that took it over at the same moment/, 'a fresh marker: a takeover may be under way');
  const past = new Date(Date.now() - 11_000);
  utimesSync(marker, past, past);
  const release = lockDirectory(directory);
  assert.match(readFileSync(lock, 'utf8'), new RegExp(`^${process.pid}\n${hostname()}\n`));
  assert.deepEqual(readdirSync(directory), ['lock']);
  release();
});
