import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFaultServer } from '../helpers/fault-server.js';

// A listener that answers every MR_ERR_QUEUE_FULL with another track(): each drop is reported, the
// report calls the listener, the listener drops another message. Reported from microtasks, this
// never let a timer fire. It runs in a child process, killed if it hangs: a microtask loop cannot
// be interrupted from inside.
const CHILD = `
const { Analytics } = require(process.argv[1]);
const analytics = new Analytics({ writeKey: 'k', host: process.argv[2], maxQueueSize: 1, flushAt: 1, httpRequestTimeout: 60000 });
let reports = 0;
let stop = false;
analytics.on('error', (error) => {
  reports++;
  if (!stop && error.code === 'MR_ERR_QUEUE_FULL') analytics.track({ userId: 'u', event: 'From Listener' });
});
analytics.track({ userId: 'u', event: 'Fills The Queue' });
analytics.track({ userId: 'u', event: 'Dropped' });
setTimeout(() => {
  stop = true;
  const atTimer = reports;
  analytics.closeAndFlush({ timeout: 100 }).then(() => process.stdout.write(JSON.stringify({ atTimer })));
}, 20);
`;

test('an error listener that calls track() on every MR_ERR_QUEUE_FULL cannot hang the event loop: timers still fire, and the instance still closes', async () => {
  const server = await startFaultServer(() => ({ kind: 'stall' }));
  try {
    const source = join(__dirname, '..', '..', 'src', 'index.js');
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', CHILD, source, server.url], { timeout: 30_000 }, (error, stdout) => (error === null ? resolve(stdout) : reject(error)));
    });
    const { atTimer } = JSON.parse(output) as { atTimer: number };
    assert.ok(atTimer > 0, 'the listener heard the drops');
  } finally {
    await server.close();
  }
});
