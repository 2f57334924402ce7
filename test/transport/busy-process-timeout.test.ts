import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import diagnosticsChannel from 'node:diagnostics_channel';
import { Analytics } from '../../src/index.js';

/**
 * The ingestion server runs in a child process, so that it answers while this process is blocked:
 * exactly the situation of an app busy in synchronous work when the answer arrives.
 */
const SERVER = `
const { createServer } = require('node:http');
let requests = 0;
const server = createServer((request, response) => {
  request.resume().on('end', () => {
    requests++;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    process.stdout.write('answered ' + requests + '\\n');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
`;

function blockFor(millis: number): void {
  const end = Date.now() + millis;
  while (Date.now() < end);
}

test('a deadline that passes while our own process is busy does not resend a batch the server already answered', async () => {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    lines.push(...chunk.split('\n').filter(Boolean));
    wake?.();
  });
  const waitFor = async (predicate: () => boolean) => {
    while (!predicate()) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    await waitFor(() => lines.some((line) => line.startsWith('port ')));
    const port = lines.find((line) => line.startsWith('port '))!.slice(5);
    const analytics = new Analytics({ writeKey: 'k', host: `http://127.0.0.1:${port}`, flushAt: 1, httpRequestTimeout: 300, maxRetries: 3 });
    const errors: string[] = [];
    analytics.on('error', (error) => errors.push(error.code));
    // Right when the request has been written, keep this process busy well past the deadline,
    // while the server (another process) answers.
    let blocked = false;
    const blockOnce = () => {
      if (blocked) return;
      blocked = true;
      blockFor(900);
    };
    diagnosticsChannel.subscribe('undici:request:bodySent', blockOnce);
    try {
      analytics.track({ userId: 'u', event: 'Busy' });
      await analytics.flush();
    } finally {
      diagnosticsChannel.unsubscribe('undici:request:bodySent', blockOnce);
    }
    assert.ok(blocked, 'the process was blocked after the request was sent');
    await analytics.closeAndFlush({ timeout: 5000 });
    assert.deepEqual(errors, []);
    assert.equal(analytics.counters!.retries, 0, 'no retry: the answer was there when the deadline was looked at');
    assert.equal(analytics.counters!.delivered, 1);
    assert.deepEqual(lines.filter((line) => line.startsWith('answered')), ['answered 1'], 'the server saw the batch once');
  } finally {
    child.kill();
    await once(child, 'exit');
  }
});
