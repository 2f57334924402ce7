import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startBridgeCli, type BridgeCli } from './bridge-cli.js';
import type { IngestServer } from './ingest-server.js';
import { tracks } from './fleet.js';

/** The write key every bridge of a test fleet sends with. */
export const FLEET_WRITE_KEY = 'fleet-test-key';
/** Events in each request the clients send. */
const EVENTS_PER_REQUEST = 10;
/** A client's own deadline for one request (a cut network may never answer). */
const REQUEST_TIMEOUT_MILLIS = 10_000;

const sleep = (millis: number) => new Promise((done) => setTimeout(done, millis));

/**
 * `metarouter-otel bridge --queue URL` in a process of its own, delivering to `ingestUrl`, with a
 * short flush interval and lease (`leaseMillis`); SIGKILLed after the test if still running.
 */
export async function startQueueBridge(t: TestContext, queueUrl: string, ingestUrl: string, leaseMillis: number): Promise<BridgeCli> {
  const bridge = await startBridgeCli([
    '--port', '0', '--host', ingestUrl, '--write-key', FLEET_WRITE_KEY, '--queue', queueUrl,
    '--flush-interval', '20', '--queue-lease-millis', String(leaseMillis),
  ]);
  t.after(async () => {
    if (bridge.child.exitCode === null && bridge.child.signalCode === null) bridge.child.kill('SIGKILL');
    await bridge.exited;
  });
  return bridge;
}

/** SIGKILLs the bridge and resolves once the process is gone. */
export async function sigkill(bridge: BridgeCli): Promise<void> {
  bridge.child.kill('SIGKILL');
  await bridge.exited;
}

/** One POST of OTLP JSON with a deadline; status 0 when the connection failed or timed out. */
export async function postLogs(bridgeUrl: string, body: string): Promise<number> {
  try {
    const response = await fetch(`${bridgeUrl}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MILLIS) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** GET /readyz's status, 0 when the bridge does not answer. */
export async function readiness(bridgeUrl: string): Promise<number> {
  try {
    const response = await fetch(`${bridgeUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls `check` every 50 ms until it is true; fails naming `what` after `timeoutMillis`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMillis = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** One request as a client made it: when it started, where it went, what it got. */
export interface Attempt {
  readonly startedAt: number;
  readonly target: string;
  readonly status: number;
}

/**
 * Clients sending a stream of requests (10 events each, messageIds `${prefix}-${n}-${i}`) to the
 * bridges `targets()` names, round robin, `concurrency` at a time. A request not answered 200 is
 * sent again, the same body to the next target, as an OTLP exporter retries; only a 200 counts the
 * request's events as acknowledged.
 */
export class Traffic {
  /** messageIds of requests answered 200. */
  readonly acked = new Set<string>();
  readonly attempts: Attempt[] = [];
  /** When each request (its messageIds less the last `-i`) was first sent. */
  private readonly firstSent = new Map<string, number>();
  private stopping = false;
  private next = 0;
  private turn = 0;
  private workers: Promise<void>[] = [];

  /** Stopped after `t` at the latest, so that a failed assertion leaves no client running. */
  constructor(
    t: TestContext,
    private readonly targets: () => readonly string[],
    private readonly prefix: string,
    private readonly concurrency = 4,
  ) {
    t.after(() => this.stop());
  }

  start(): void {
    this.workers = Array.from({ length: this.concurrency }, () => this.work());
  }

  /** Stops making requests; resolves once those under way ended (a retry loop ends unanswered). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
  }

  /** When the request that carried `messageId` was first sent; undefined if it was not. */
  firstSentAt(messageId: string): number | undefined {
    return this.firstSent.get(messageId.slice(0, messageId.lastIndexOf('-')));
  }

  /** Attempts answered `status`. */
  count(status: number): number {
    return this.attempts.filter((attempt) => attempt.status === status).length;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      const request = `${this.prefix}-${this.next++}`;
      const body = tracks(request, EVENTS_PER_REQUEST);
      this.firstSent.set(request, Date.now());
      for (;;) {
        const live = this.targets();
        const target = live[this.turn++ % live.length]!;
        const startedAt = Date.now();
        const status = await postLogs(target, body);
        this.attempts.push({ startedAt, target, status });
        if (status === 200) {
          for (let i = 0; i < EVENTS_PER_REQUEST; i++) this.acked.add(`${request}-${i}`);
          break;
        }
        if (this.stopping) break;
        await sleep(50);
      }
    }
  }
}

/** For each messageId with `prefix` the ingestion server accepted: the indexes of the requests it came in. */
export function arrivals(ingest: IngestServer, prefix: string): Map<string, number[]> {
  const found = new Map<string, number[]>();
  for (const request of ingest.requests) {
    for (const id of request.messageIds) {
      if (!id.startsWith(`${prefix}-`)) continue;
      const seen = found.get(id);
      if (seen === undefined) found.set(id, [request.index]);
      else seen.push(request.index);
    }
  }
  return found;
}

/** Resolves once every acknowledged messageId arrived at the ingestion server; fails naming what is missing. */
export async function everyAckedArrives(ingest: IngestServer, traffic: Traffic, prefix: string, timeoutMillis = 30_000): Promise<void> {
  const missing = () => [...traffic.acked].filter((id) => !arrivals(ingest, prefix).has(id));
  const deadline = Date.now() + timeoutMillis;
  for (let left = missing(); left.length > 0; left = missing()) {
    if (Date.now() > deadline) assert.fail(`${left.length} of ${traffic.acked.size} events answered 200 never arrived (first: ${left.slice(0, 3).join(', ')})`);
    await sleep(100);
  }
}

/**
 * The messageIds delivered more than once, each checked by `allowed` (given its id and the index
 * of the server's request that first brought it): a copy may only be of a batch under way at the
 * fault. Returns their number, for the record.
 */
export function checkCopies(ingest: IngestServer, prefix: string, allowed: (messageId: string, firstArrival: number) => boolean): number {
  const copies = [...arrivals(ingest, prefix)].filter(([, indexes]) => indexes.length > 1);
  const unexplained = copies.filter(([id, indexes]) => !allowed(id, indexes[0]!));
  assert.deepEqual(unexplained.map(([id]) => id), [], 'a copy is only of an event whose delivery was under way at the fault');
  return copies.length;
}

/** After a kill: the killed bridge delivered nothing after it, so a copy's first delivery came before `mark`. */
export const firstDeliveredBefore = (mark: number) => (_messageId: string, firstArrival: number) => firstArrival < mark;

/**
 * After an outage of the database: a bridge may deliver a batch it claimed before it late, so a
 * copy must be of an event sent before the bridges were back (at `recoveredAt`).
 */
export const sentBefore = (traffic: Traffic, recoveredAt: number) => (messageId: string) => (traffic.firstSentAt(messageId) ?? Infinity) < recoveredAt;

/** The ingestion server's request count once what was already on its way has landed. */
export async function markAfterFault(ingest: IngestServer): Promise<number> {
  await sleep(200);
  return ingest.requests.length;
}

/** Sends one request to both bridges at once: both answer 200, and each of its events arrives exactly once. */
export async function sameRequestToBoth(ingest: IngestServer, one: BridgeCli, two: BridgeCli, prefix: string): Promise<void> {
  const body = tracks(prefix, EVENTS_PER_REQUEST);
  assert.deepEqual(await Promise.all([postLogs(one.url, body), postLogs(two.url, body)]), [200, 200]);
  await until(() => arrivals(ingest, prefix).size === EVENTS_PER_REQUEST, `the ${EVENTS_PER_REQUEST} events of ${prefix}`);
  // Time for a second copy to go out, were there one: both bridges flush every 20 ms.
  await sleep(500);
  const counts = [...arrivals(ingest, prefix).values()].map((indexes) => indexes.length);
  assert.deepEqual(counts, Array(EVENTS_PER_REQUEST).fill(1), 'the request sent to two bridges is delivered once');
}
