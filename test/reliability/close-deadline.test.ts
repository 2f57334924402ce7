import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { OK, startFaultServer, type Fault } from '../helpers/fault-server.js';
import { BROKEN_2XX_FAULTS, FINAL_FAULTS, RETRYABLE_FAULTS, collect, recordFigures, settlesWithin, writeFigures } from './faults.js';

const KEY = 'close-deadline-key';
const CLOSE_TIMEOUT_MILLIS = 300;
/** A guard against a hang, far past the deadline; not a measurement. */
const GUARD_MILLIS = 5000;

after(writeFigures);

/**
 * Requests the client starts or writes after `since` (performance.now()) to `origin`, from undici's
 * own diagnostics channels: what "sent" means on the client's side. The server's count of arrivals
 * cannot tell: on a loaded machine a request written before the deadline may be read after it.
 */
function watchSends(origin: string): { since: number; sendsAfter: () => number; stop: () => void } {
  let after = 0;
  const watch = { since: Number.POSITIVE_INFINITY, sendsAfter: () => after, stop: () => {} };
  const listener = (message: unknown): void => {
    const request = (message as { request?: { origin?: unknown } }).request;
    if (String(request?.origin) === origin && performance.now() > watch.since) after += 1;
  };
  for (const name of ['undici:request:create', 'undici:client:sendHeaders']) subscribe(name, listener);
  watch.stop = () => {
    for (const name of ['undici:request:create', 'undici:client:sendHeaders']) unsubscribe(name, listener);
  };
  return watch;
}

interface Row {
  readonly name: string;
  readonly make: () => Fault;
  readonly refused?: boolean;
  /** Codes the undelivered messages may be reported with. */
  readonly codes: readonly string[];
  /** The server may ingest a batch whose answer never fully reached the client. */
  readonly ingestsUnacknowledged?: boolean;
}

const ROWS: Row[] = [
  // A loaded machine may take longer than the deadline even for a healthy server: then it is reported too.
  { name: 'a healthy server', make: () => OK, codes: ['MR_ERR_SHUTDOWN_TIMEOUT'] },
  // Retry-After: 0 retries at once, so maxRetries may run out before the deadline.
  ...RETRYABLE_FAULTS.map((fault) => ({ name: fault.name, make: fault.make, refused: fault.refused, codes: ['MR_ERR_SHUTDOWN_TIMEOUT', 'MR_ERR_RETRIES_EXHAUSTED'] })),
  ...BROKEN_2XX_FAULTS.map((fault) => ({ name: fault.name, make: fault.make, codes: ['MR_ERR_SHUTDOWN_TIMEOUT'], ingestsUnacknowledged: true })),
  // Answered at once, so reported with the answer's code; on a loaded machine the answer may come after the deadline.
  ...FINAL_FAULTS.map((fault) => ({ name: fault.name, make: fault.make, codes: [fault.code, 'MR_ERR_SHUTDOWN_TIMEOUT'] })),
];

describe('closeAndFlush({ timeout: 300 }) against every fault, with the fault still on', { concurrency: 4 }, () => {
  for (const row of ROWS) {
    test(`${row.name}: closeAndFlush resolves, every message is delivered or reported once, nothing is sent after it`, async () => {
      const server = await startFaultServer(() => row.make());
      if (row.refused === true) await server.stop();
      // Default httpRequestTimeout (10 s) and real backoff (500 ms and up): the deadline comes first.
      const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 2, maxConcurrentRequests: 2 });
      const errors = collect(analytics);
      const sends = watchSends(new URL(server.url).origin);
      try {
        const ids = Array.from({ length: 5 }, (_, i) => analytics.track({ userId: `u${i}`, event: 'Closing', properties: { i } }));
        const outcome = await settlesWithin(analytics.closeAndFlush({ timeout: CLOSE_TIMEOUT_MILLIS }), GUARD_MILLIS);
        sends.since = performance.now();
        assert.equal(outcome.settled, 'resolved', `${row.name}: closeAndFlush resolved (a hang would be 'hung')`);

        const reported = errors.flatMap((error) => [...error.messageIds]);
        assert.equal(new Set(reported).size, reported.length, `${row.name}: no message reported twice`);
        for (const error of errors) assert.ok(row.codes.includes(error.code), `${row.name}: reported ${error.code}, expected one of ${row.codes.join(', ')}`);
        for (const id of reported) assert.ok(ids.includes(id), `${row.name}: reports name our messages`);
        const counters = analytics.counters!;
        assert.equal(counters.accepted, 5);
        assert.equal(counters.delivered + counters.dropped, 5, `${row.name}: every message delivered or dropped`);
        assert.equal(counters.pending, 0, `${row.name}: nothing pending after the close`);
        assert.equal(reported.length, counters.dropped, `${row.name}: every drop reported with its id`);

        const ingested = new Set(server.ingestedIds());
        const missing = ids.filter((id) => !ingested.has(id) && !reported.includes(id));
        assert.deepEqual(missing, [], `${row.name}: neither ingested nor reported (silently lost)`);
        if (row.ingestsUnacknowledged !== true) {
          // At-least-once: a batch whose request was in flight at the deadline is reported, because
          // its answer was not read (on a loaded machine the server may well have ingested it). Only
          // that: the whole request it went in is reported together, by the deadline's report.
          const deadlineReport = errors.find((error) => error.code === 'MR_ERR_SHUTDOWN_TIMEOUT');
          const atDeadline = new Set(deadlineReport === undefined ? [] : [...deadlineReport.messageIds]);
          for (const id of reported.filter((reportedId) => ingested.has(reportedId))) {
            assert.ok(atDeadline.has(id), `${row.name}: reported lost, yet ingested, and not by the close deadline`);
            for (const request of server.requests.filter((candidate) => candidate.messageIds.includes(id))) {
              assert.deepEqual(
                request.messageIds.filter((other) => !atDeadline.has(other)),
                [],
                `${row.name}: reported lost, yet ingested, apart from the rest of its request (not a batch in flight at the deadline)`,
              );
            }
          }
        }

        await sleep(100);
        assert.equal(sends.sendsAfter(), 0, `${row.name}: nothing sent after closeAndFlush resolved`);
        recordFigures({
          suite: `closeAndFlush({ timeout: ${CLOSE_TIMEOUT_MILLIS} })`,
          fault: row.name,
          sent: 5,
          delivered: counters.delivered,
          reportedLost: reported.length,
          silentlyLost: missing.length,
          duplicates: server.ingestedIds().length - ingested.size,
          requests: server.requests.length,
        });
      } finally {
        sends.stop();
        await server.close();
      }
    });
  }
});

test('closeAndFlush({ timeout: 0 }) with a batch in flight to a stalled server resolves and reports it', async () => {
  const server = await startFaultServer(() => ({ kind: 'stall' }));
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 1 });
  const errors = collect(analytics);
  try {
    const id = analytics.track({ userId: 'u', event: 'Zero' });
    await server.waitForRequests(1);
    const outcome = await settlesWithin(analytics.closeAndFlush({ timeout: 0 }), GUARD_MILLIS);
    assert.equal(outcome.settled, 'resolved');
    assert.deepEqual(errors.map((error) => [error.code, [...error.messageIds]]), [['MR_ERR_SHUTDOWN_TIMEOUT', [id]]]);
  } finally {
    await server.close();
  }
});

test('a flush() waiting on a stalled server is released by closeAndFlush({ timeout }) too', async () => {
  const server = await startFaultServer(() => ({ kind: 'stall' }));
  const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 1 });
  const errors = collect(analytics);
  try {
    const id = analytics.track({ userId: 'u', event: 'Waiting' });
    const flushing = analytics.flush();
    await server.waitForRequests(1);
    const closing = settlesWithin(analytics.closeAndFlush({ timeout: CLOSE_TIMEOUT_MILLIS }), GUARD_MILLIS);
    assert.equal((await settlesWithin(flushing, GUARD_MILLIS)).settled, 'resolved', 'the earlier flush() settles');
    assert.equal((await closing).settled, 'resolved');
    assert.deepEqual(errors.map((error) => [error.code, [...error.messageIds]]), [['MR_ERR_SHUTDOWN_TIMEOUT', [id]]]);
  } finally {
    await server.close();
  }
});
