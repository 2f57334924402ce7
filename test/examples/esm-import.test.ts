import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startSink, type Sink } from '../../src/index.js';

const run = promisify(execFile);
// Compiled to <build dir>/test/examples/: the repository is three levels up.
const example = join(__dirname, '..', '..', '..', 'examples', 'esm-import');
/** A guard against a hung child, not a measurement. */
const CHILD_TIMEOUT_MILLIS = 30_000;

let sink: Sink;
before(async () => {
  sink = await startSink({ port: 0 });
});
after(async () => {
  await sink.close();
});

test('esm-import: `node --import ./otel.mjs app.mjs` traces the ES module app\'s HTTP server, and its track call arrives with that span\'s trace id', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, METAROUTER_HOST: sink.url };
  delete env.METAROUTER_WRITE_KEY;
  const { stdout, stderr } = await run(process.execPath, ['--import', './otel.mjs', 'app.mjs'], { cwd: example, env, timeout: CHILD_TIMEOUT_MILLIS });
  assert.equal(stderr, '', 'the example printed nothing to stderr');
  const [, messageId, traceId] = /messageId (\S+) in the HTTP server span of trace ([0-9a-f]{32})$/m.exec(stdout) ?? [];
  assert.ok(messageId !== undefined && traceId !== undefined, `the handler ran inside a server span: ${stdout}`);
  const arrived = sink.messages.filter((message) => message.messageId === messageId);
  assert.equal(arrived.length, 1, 'the track call arrived once');
  assert.equal((arrived[0]!.context as { otel?: { traceId?: string } }).otel?.traceId, traceId);
});
