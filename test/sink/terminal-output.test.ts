import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { terminalText } from '../../src/sink/terminal-text.js';
import { RULES_PLAN } from '../shaping/tracking-plan/fixture-plan.js';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/sink.
const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');

/** Every character a terminal acts on, or that reorders or breaks a line, in one string. */
const HOSTILE = 'A\u001b]0;pwned\u0007B\u001b]52;c;ZWNobyBoaQ==\u0007C\u001b[2J\rD\bE\nFORGED LINE\u2028G\u2029H\u202eI\u2066J\u009b31mK\u007fL\u0000M\\x1bN';

test('terminalText shows every control, separator and bidi mark as a visible escape, keeps other text, and the backslash cannot fake an escape', () => {
  assert.equal(terminalText('plain ümlaut 日本 ✓'), 'plain ümlaut 日本 ✓');
  assert.equal(terminalText('a\u001b[31mb\u0007\r\b\n\t'), 'a\\x1b[31mb\\x07\\r\\x08\\n\\t');
  assert.equal(terminalText('\u0085\u009b\u007f\u2028\u2029\u202a\u202e\u2066\u2069\u200e\u200f\u061c'), '\\x85\\x9b\\x7f\\u2028\\u2029\\u202a\\u202e\\u2066\\u2069\\u200e\\u200f\\u061c');
  assert.equal(terminalText('\\x1b'), '\\\\x1b');
  const shown = terminalText(HOSTILE);
  assert.doesNotMatch(shown, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
});

test('CLI sink: control sequences and line breaks in a text/plain POST are printed escaped, one line per message, and problems are flagged on the line', { timeout: 10_000 }, async () => {
  const child = spawn(process.execPath, [CLI, 'sink', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let raw = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (raw += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  try {
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/v1\/batch/.exec((await lines.next()).value as string)![1]!;
    await lines.next();
    const batch = [
      { type: 'track', userId: HOSTILE, event: HOSTILE, messageId: 'm-1', timestamp: '2026-01-01T00:00:00.000Z', context: { otel: { traceId: HOSTILE, spanId: HOSTILE } } },
      { type: `track\u001b[2J\nforged`, anonymousId: 'a', messageId: 'm-2' },
      { type: 'track', userId: 'u', messageId: 'm-3' },
    ];
    // A web page can send exactly this: a "simple" cross-origin request needs no preflight.
    const answer = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ batch, sentAt: new Date().toISOString() }) });
    assert.equal(answer.status, 200);
    await answer.text();
    const printed = [(await lines.next()).value as string, (await lines.next()).value as string, (await lines.next()).value as string];
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(raw.split('\n').length, 2 + 3 + 1, `one line per message: ${JSON.stringify(raw)}`);
    assert.doesNotMatch(raw, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/, 'nothing a terminal acts on');
    assert.ok(printed[0]!.includes(terminalText(HOSTILE)), printed[0]);
    assert.ok(printed[0]!.includes('\\x1b]52;c;'), 'the clipboard write is shown, not performed');
    assert.match(printed[1]!, /^--:--:--\.--- {2}track\\x1b\[2J\\nforged/);
    assert.match(printed[1]!, /! .*type/, `a bad type is flagged: ${printed[1]}`);
    assert.match(printed[2]!, /! .*event/, `a track without event is flagged: ${printed[2]}`);
    assert.doesNotMatch(printed[0]!, /!/, 'a good message has no flag');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
});

test('CLI sink --plan: a tracking-plan violation is flagged on the message\'s line', { timeout: 10_000 }, async () => {
  const directory = mkdtempSync(join(tmpdir(), 'metarouter-otel-sink-plan-'));
  const plan = join(directory, 'plan.json');
  writeFileSync(plan, JSON.stringify(RULES_PLAN));
  const child = spawn(process.execPath, [CLI, 'sink', '--port', '0', '--plan', plan], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  try {
    const url = /(http:\/\/127\.0\.0\.1:\d+)\/v1\/batch/.exec((await lines.next()).value as string)![1]!;
    await lines.next();
    const batch = [
      { type: 'track', userId: 'u', event: 'Order Completed', properties: { orderId: 'o-1', revenue: -5 }, messageId: 'p-1' },
      { type: 'track', userId: 'u', event: 'Order Completed', properties: { orderId: 'o-2', total: 5 }, messageId: 'p-2' },
    ];
    const answer = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch, sentAt: new Date().toISOString() }) });
    assert.equal(answer.status, 200);
    await answer.text();
    const broken = (await lines.next()).value as string;
    const fine = (await lines.next()).value as string;
    assert.match(broken, /! plan: properties\.revenue is not in the tracking plan/, broken);
    assert.doesNotMatch(fine, /!/, fine);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(directory, { recursive: true, force: true });
  }
});
