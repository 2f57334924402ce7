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

// A listener whose own call is reported at once, inside that call (MR_ERR_CLOSED after close, a
// failing beforeSend hook): delivered from inside the listener, each report nested the next one a
// few frames deeper, until the stack overflowed and the process died. Reports made while one is
// being delivered must wait for it, and come after it, in the order they were made.
const NESTED_CHILD = `
const { Analytics } = require(process.argv[1]);
const source = process.argv[3];
const beforeSend = source === 'beforeSend' ? () => { throw new Error('hook fails'); } : undefined;
const analytics = new Analytics({ writeKey: 'k', host: process.argv[2], beforeSend });
const TOTAL = 5000;
// In the order of the calls: a call's report may be delivered before the call returns its id.
const made = [];
let calls = 0;
const call = () => { const n = calls++; made[n] = analytics.track({ userId: 'u', event: 'Again' }); };
const heard = [];
let depth = 0;
let maxDepth = 0;
// A listener a few frames deep, as an app's logging code is.
const within = (f) => [f].map((g) => g())[0];
const listen = (error) => within(() => {
  depth++;
  maxDepth = Math.max(maxDepth, depth);
  heard.push(...error.messageIds);
  if (calls < TOTAL) call();
  depth--;
});
const start = source === 'closed' ? analytics.closeAndFlush({ timeout: 10 }) : Promise.resolve();
start.then(() => {
  analytics.on('error', listen);
  call();
  // Past 1,000 reports a turn the rest come on later turns: wait for them (the parent's timeout is the guard).
  const done = setInterval(() => {
    if (heard.length < TOTAL) return;
    clearInterval(done);
    process.stdout.write(JSON.stringify({ made, heard, maxDepth }));
  }, 20);
});
`;

for (const source of ['closed', 'beforeSend']) {
  test(`a listener whose call is reported at once (${source}) 5,000 times over neither overflows the stack nor reorders the reports`, async () => {
    const server = await startFaultServer(() => ({ kind: 'stall' }));
    try {
      const index = join(__dirname, '..', '..', 'src', 'index.js');
      const output = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['-e', NESTED_CHILD, index, server.url, source], { timeout: 30_000 }, (error, stdout, stderr) =>
          error === null ? resolve(stdout) : reject(new Error(`child failed: ${String(error)}\n${stderr.slice(0, 2000)}`)),
        );
      });
      const { made, heard, maxDepth } = JSON.parse(output) as { made: string[]; heard: string[]; maxDepth: number };
      assert.equal(made.length, 5000);
      assert.deepEqual(heard, made, 'every call reported once, in the order of the calls');
      assert.equal(maxDepth, 1, 'a report made inside the listener waits for the listener to return');
    } finally {
      await server.close();
    }
  });
}
