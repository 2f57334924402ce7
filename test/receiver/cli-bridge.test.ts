import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { CLI, startBridgeCli, type BridgeCli } from '../helpers/bridge-cli.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { jsonAttributes, jsonLogsRequest, post, trackRecord } from '../helpers/otlp-bridge.js';

const WRITE_KEY = 'cli-bridge-write-key-3c9e';
const TOKEN = 'cli-bridge-token';

test('CLI: `bridge` prints its URL, requires the token, reports errors on stderr one line each without the key, and on SIGTERM delivers what it took and exits 0', { timeout: 12_000 }, async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: the CLI tests run the built package; build it first (npm run build)`);
  const ingest = await startIngestServer();
  const child = spawn(process.execPath, [CLI, 'bridge', '--port', '0', '--hostname', '127.0.0.1', '--host', ingest.url, '--token', TOKEN], {
    env: { ...process.env, METAROUTER_WRITE_KEY: WRITE_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const stdout: string[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => stdout.push(line));
  const firstLine = new Promise<string>((done, fail) => {
    lines.once('line', done);
    lines.once('close', () => fail(new Error(`the CLI closed its stdout; stderr: ${stderr}`)));
  });
  try {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(await firstLine);
    assert.ok(match !== null, `the first line names the URL: ${stdout[0]}`);
    const logs = `${match[1]}/v1/logs`;

    const body = jsonLogsRequest([trackRecord('cli-user', 'From The CLI Bridge'), trackRecord('cli-user')]);
    assert.equal((await post(logs, body)).status, 401, 'no token');
    const answer = await post(logs, body, { authorization: `Bearer ${TOKEN}` });
    assert.equal(answer.status, 200);
    assert.equal((JSON.parse(answer.body.toString()) as { partialSuccess: { rejectedLogRecords: number } }).partialSuccess.rejectedLogRecords, 1);

    child.kill('SIGTERM');
    assert.equal(await exited, 0, `exit code; stderr: ${stderr}`);
    assert.deepEqual(ingest.accepted.map((message) => message.event), ['From The CLI Bridge'], 'delivered at shutdown');
    assert.equal(ingest.accepted[0]!.writeKey, WRITE_KEY, 'the key came from METAROUTER_WRITE_KEY');

    const errorLines = stderr.trim().split('\n');
    assert.equal(errorLines.length, 1, `one line per error: ${stderr}`);
    assert.match(errorLines[0]!, /^metarouter-otel bridge: MR_ERR_INVALID_RECORD .*track needs event/);
    assert.ok(!`${stderr}${stdout.join('\n')}`.includes(WRITE_KEY), 'the writeKey is never printed');
    assert.ok(stdout.some((line) => /SIGTERM, draining/.test(line)));
  } finally {
    child.kill('SIGKILL');
    await ingest.close();
  }
});

test('CLI: `bridge --resource-attribute-keys a,b` sends those attributes of each OTLP resource; a list with an empty name exits 2 naming the option', { timeout: 12_000 }, async () => {
  const ingest = await startIngestServer();
  let bridge: BridgeCli | undefined;
  try {
    bridge = await startBridgeCli(['--port', '0', '--host', ingest.url, '--write-key', WRITE_KEY, '--resource-attribute-keys', 'service.version,service.name']);
    const { url } = bridge;
    const resource = { attributes: jsonAttributes({ 'service.name': 'billing', 'service.version': '2.1.0', 'service.namespace': 'shop' }) };
    const body = JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: [trackRecord('cli-user', 'Keys Chosen')] }] }] });
    assert.equal((await post(`${url}/v1/logs`, body)).status, 200);
    bridge.child.kill('SIGTERM');
    assert.equal(await bridge.exited, 0, `exit code; stderr: ${bridge.stderr()}`);
    const sent = (ingest.accepted[0]!.context as { otel: { resource: Record<string, unknown> } }).otel.resource;
    assert.deepEqual(Object.entries(sent), [
      ['service.version', '2.1.0'],
      ['service.name', 'billing'],
    ]);
  } finally {
    bridge?.child.kill('SIGKILL');
    await ingest.close();
  }
  const bad = spawn(process.execPath, [CLI, 'bridge', '--port', '0', '--host', 'http://127.0.0.1:9', '--write-key', WRITE_KEY, '--resource-attribute-keys', 'service.name,,service.version'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let badErr = '';
  bad.stderr.setEncoding('utf8').on('data', (chunk: string) => (badErr += chunk));
  const code = await new Promise<number | null>((done) => bad.once('exit', (exit) => done(exit)));
  assert.equal(code, 2, badErr);
  assert.match(badErr, /resourceAttributeKeys/);
});
