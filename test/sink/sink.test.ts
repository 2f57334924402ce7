import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { Analytics, startSink } from '../../src/index.js';
import { tracerProvider, useContextManager } from '../helpers/otel.js';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/sink.
const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');

let dir: string;
let stopContext: () => void;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'metarouter-otel-sink-'));
  stopContext = useContextManager();
});
after(async () => {
  stopContext();
  await rm(dir, { recursive: true, force: true });
});

function batchBody(messages: Record<string, unknown>[]): string {
  return JSON.stringify({ batch: messages, sentAt: new Date().toISOString(), writeKey: 'k' });
}

test('Analytics delivers to the sink: messages are kept, each gets a readable line (type, user, trace), and the NDJSON file has one message per line', async () => {
  const out = join(dir, 'received.ndjson');
  const lines: string[] = [];
  const sink = await startSink({ port: 0, out, onLine: (line) => lines.push(line) });
  const { provider, tracer } = tracerProvider();
  let traceId = '';
  let spanId = '';
  let ids: string[] = [];
  try {
    const analytics = new Analytics({ writeKey: 'k', host: sink.url });
    tracer.startActiveSpan('GET /signup', (span) => {
      ({ traceId, spanId } = span.spanContext());
      ids.push(analytics.track({ userId: 'user-in-span', event: 'Signed Up' }));
      ids.push(analytics.identify({ userId: 'user-in-span', traits: { plan: 'pro' } }));
      span.end();
    });
    ids.push(analytics.page({ anonymousId: 'anon-outside', name: 'Home' }));
    ids.push(analytics.group({ userId: 'grouped', groupId: 'acme' }));
    await analytics.closeAndFlush();
  } finally {
    await sink.close();
    await provider.shutdown();
  }

  assert.deepEqual(sink.messages.map((message) => message.messageId), ids, 'sink.messages holds every message, in order');
  assert.deepEqual(sink.messages.map((message) => message.type), ['track', 'identify', 'page', 'group']);
  assert.equal(lines.length, 4, 'one line per message');
  const [track, identify, page, group] = lines as [string, string, string, string];
  assert.match(track, /\btrack\b/);
  assert.match(track, /user=user-in-span/);
  assert.match(track, /"Signed Up"/);
  assert.ok(track.includes(`trace=${traceId}`), `the line of a call made in a span names its trace: ${track}`);
  assert.ok(track.includes(spanId), `and its span: ${track}`);
  assert.match(identify, /\bidentify\b/);
  assert.ok(identify.includes(`trace=${traceId}`));
  assert.match(page, /\bpage\b/);
  assert.match(page, /anon=anon-outside/);
  assert.match(page, /trace=-/, 'no trace outside a span');
  assert.match(group, /\bgroup\b/);
  assert.match(group, /user=grouped/);
  assert.match(group, /group=acme/);
  for (const line of lines) assert.doesNotMatch(line, /\n/, 'a line is one line');

  const text = await readFile(out, 'utf8');
  assert.ok(text.endsWith('\n'));
  const fileLines = text.slice(0, -1).split('\n');
  assert.equal(fileLines.length, 4, 'one NDJSON line per message');
  assert.deepEqual(fileLines.map((line) => JSON.parse(line) as unknown), sink.messages);
  assert.deepEqual((JSON.parse(fileLines[0]!) as { context: { otel: unknown } }).context.otel, { traceId, spanId });
});

test('the NDJSON file is appended to, not overwritten, by a second sink', async () => {
  const out = join(dir, 'appended.ndjson');
  for (const userId of ['first-run', 'second-run']) {
    const sink = await startSink({ port: 0, out });
    try {
      const analytics = new Analytics({ writeKey: 'k', host: sink.url });
      analytics.track({ userId, event: 'Run' });
      await analytics.closeAndFlush();
    } finally {
      await sink.close();
    }
  }
  const users = (await readFile(out, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { userId: string }).userId);
  assert.deepEqual(users, ['first-run', 'second-run']);
});

test('gzip request bodies are accepted, from Analytics (compression: gzip) and from a hand-made request', async () => {
  const sink = await startSink({ port: 0 });
  try {
    const analytics = new Analytics({ writeKey: 'k', host: sink.url, compression: 'gzip' });
    const id = analytics.track({ userId: 'zipped', event: 'Compressed', properties: { pad: 'x'.repeat(5000) } });
    await analytics.closeAndFlush();
    assert.deepEqual(sink.messages.map((message) => message.messageId), [id]);

    const response = await fetch(`${sink.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(batchBody([{ type: 'track', userId: 'by-hand', event: 'Zipped By Hand', messageId: 'hand-1' }])),
    });
    assert.equal(response.status, 200);
    await response.text();
    assert.equal(sink.messages[1]?.messageId, 'hand-1');
  } finally {
    await sink.close();
  }
});

test('a non-JSON body, a body without a batch array, or a broken gzip body gets 400; GET /v1/batch and other paths get 404; nothing is kept', async () => {
  const lines: string[] = [];
  const sink = await startSink({ port: 0, onLine: (line) => lines.push(line), maxBodyBytes: 10_000 });
  try {
    const post = async (body: string | Uint8Array, headers: Record<string, string> = {}, path = '/v1/batch') => {
      const response = await fetch(`${sink.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      await response.text();
      return response.status;
    };
    assert.equal(await post('this is not json'), 400);
    assert.equal(await post('{"batch":'), 400);
    assert.equal(await post('{"messages":[]}'), 400);
    assert.equal(await post('null'), 400);
    assert.equal(await post('not gzip at all', { 'content-encoding': 'gzip' }), 400);
    assert.equal(await post(batchBody([{ type: 'track', userId: 'big', event: 'x'.repeat(20_000) }])), 413);
    assert.equal(await post(batchBody([{ type: 'track', userId: 'u', event: 'Elsewhere' }]), {}, '/v1/other'), 404);

    const get = await fetch(`${sink.url}/v1/batch`);
    assert.equal(get.status, 404);
    await get.text();
    const other = await fetch(`${sink.url}/v1/other`);
    assert.equal(other.status, 404);
    await other.text();

    assert.deepEqual(sink.messages, []);
    assert.deepEqual(lines, []);
    // Still serving after the bad requests.
    assert.equal(await post(batchBody([{ type: 'track', userId: 'ok', event: 'Fine', messageId: 'fine-1' }])), 200);
    assert.equal(sink.messages.length, 1);
  } finally {
    await sink.close();
  }
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 8_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null;
      done({ code, stdout, stderr });
    });
  });
}

function requireCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: the CLI tests run the built package; build it first (npm run build)`);
}

test('CLI: `sink --port 0` prints its URL, prints a readable line per posted message, writes --out, and exits on SIGTERM', { timeout: 8_000 }, async () => {
  requireCli();
  const out = join(dir, 'cli.ndjson');
  const child = spawn(process.execPath, [CLI, 'sink', '--port', '0', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done === true) throw new Error(`the CLI closed its stdout; stderr: ${stderr}`);
    return value as string;
  };
  try {
    const first = await nextLine();
    const match = /(http:\/\/127\.0\.0\.1:\d+)\/v1\/batch/.exec(first);
    assert.ok(match !== null, `the first line names the URL: ${first}`);
    const url = match[1]!;
    assert.equal(await nextLine(), `live debugger: ${url}/`, 'the second line names the debugger page');

    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const response = await fetch(`${url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batchBody([
        {
          type: 'track',
          userId: 'cli-user',
          event: 'CLI Event',
          messageId: 'cli-1',
          timestamp: '2026-01-02T03:04:05.678Z',
          context: { otel: { traceId, spanId: 'b7ad6b7169203331' } },
        },
      ]),
    });
    assert.equal(response.status, 200);
    await response.text();

    const line = await nextLine();
    assert.match(line, /\btrack\b/);
    assert.match(line, /user=cli-user/);
    assert.match(line, /"CLI Event"/);
    assert.ok(line.includes(`trace=${traceId}`), line);
    assert.ok(line.includes('03:04:05.678'), `the line shows the event time: ${line}`);

    assert.ok(child.kill('SIGTERM'));
    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, 'SIGTERM stops the sink cleanly');
    assert.equal(stderr, '');
    const written = (await readFile(out, 'utf8')).trim().split('\n');
    assert.deepEqual(written.map((text) => (JSON.parse(text) as { messageId: string }).messageId), ['cli-1']);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
});

test('CLI: --help and no command print the usage and exit 0; an unknown command or a bad --port exit 2 with one line on stderr, not the usage', async () => {
  requireCli();
  for (const args of [['--help'], ['-h'], []]) {
    const result = await runCli(args);
    assert.equal(result.code, 0, `${args.join(' ')}: exit code`);
    assert.match(result.stdout, /Usage: metarouter-otel/);
    assert.match(result.stdout, /\bsink\b/);
    assert.match(result.stdout, /--help/);
  }
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  assert.doesNotMatch(unknown.stderr, /Usage: metarouter-otel/);
  assert.equal(unknown.stdout, '');

  for (const port of ['abc', '-1', '70000']) {
    const bad = await runCli(['sink', '--port', port]);
    assert.equal(bad.code, 2, `--port ${port}: exit code`);
    assert.match(bad.stderr, /--port/);
  }
  const badFlag = await runCli(['sink', '--nope']);
  assert.equal(badFlag.code, 2, 'an unknown flag exits 2');
  assert.doesNotMatch(badFlag.stderr, /Usage/);
  assert.match(badFlag.stderr, /unknown option '--nope'/);
});
