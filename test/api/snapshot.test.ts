import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { BatchLogRecordProcessor, InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, MetaRouterLogRecordExporter, type EventType } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(() => server.close());

type Params = Record<string, unknown>;

/** Rich params for each call type, fresh each time: nested objects, arrays, Dates, numbers. */
function paramsFor(type: EventType, tag: string): Params {
  const data = () => ({ plan: 'pro', seats: 3, tags: ['a', 'b'], nested: { deep: { value: 1 }, list: [{ x: 1 }] } });
  const common = {
    context: { ip: '203.0.113.9', campaign: { name: 'spring', terms: ['x'] } },
    integrations: { All: false, Mixpanel: { enabled: true } },
    messageId: `${tag}-${type}`,
  };
  switch (type) {
    case 'identify':
      return { userId: 'u1', traits: data(), ...common };
    case 'track':
      return { userId: 'u1', event: 'Signed Up', properties: data(), ...common };
    case 'page':
      return { userId: 'u1', name: 'Docs', category: 'Help', properties: data(), ...common };
    case 'screen':
      return { anonymousId: 'a1', name: 'Home', properties: data(), ...common };
    case 'group':
      return { userId: 'u1', groupId: 'g1', traits: data(), ...common };
    case 'alias':
      return { previousId: 'p1', userId: 'u1', ...common };
  }
}
const TYPES: EventType[] = ['identify', 'track', 'page', 'screen', 'group', 'alias'];

function call(analytics: Analytics, type: EventType, params: Params): string {
  return (analytics[type] as unknown as (params: Params) => string).call(analytics, params);
}

/** Empties every object and array under `value` and fills them with something else. */
function scramble(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) scramble(item);
    value.length = 0;
    value.push('mutated');
  } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      scramble(record[key]);
      delete record[key];
    }
    record.mutated = true;
  }
}

/** Mutates a call's params the ways a caller might: reassigning, deleting, and changing nested data. */
function mutate(params: Params): void {
  for (const key of ['properties', 'traits', 'context', 'integrations']) scramble(params[key]);
  for (const key of ['userId', 'anonymousId', 'event', 'name', 'category', 'groupId', 'previousId']) {
    if (key in params) params[key] = `changed-${key}`;
  }
  params.properties = { replaced: true };
  params.timestamp = '1999-01-01T00:00:00.000Z';
}

/** The Segment fields of a sent message as the caller gave them (context without the library's keys). */
function userPart(message: Record<string, unknown>): Params {
  const { type: _type, timestamp: _timestamp, writeKey: _writeKey, context, ...rest } = message;
  const { library, otel: _otel, ...userContext } = context as Record<string, unknown>;
  assert.deepEqual(library, { name: LIBRARY.name, version: LIBRARY.version });
  return { ...rest, context: userContext };
}

function sentSince(start: number): Map<unknown, Record<string, unknown>> {
  return new Map(server.requests.slice(start).flatMap((request) => request.body.batch).map((message) => [message.messageId, message]));
}

test('mutating or deleting keys of the caller objects right after the call changes nothing that is sent, for every call type', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url });
  const start = server.requests.length;
  const given = TYPES.map((type) => paramsFor(type, 'sync'));
  const expected = given.map((params) => structuredClone(params));
  TYPES.forEach((type, i) => {
    call(analytics, type, given[i]!);
    mutate(given[i]!);
  });
  await analytics.closeAndFlush();

  const sent = sentSince(start);
  assert.equal(sent.size, TYPES.length);
  TYPES.forEach((type, i) => {
    const message = sent.get(`sync-${type}`);
    assert.ok(message !== undefined, `${type} was sent`);
    assert.equal(message.type, type);
    assert.notEqual(message.timestamp, '1999-01-01T00:00:00.000Z');
    assert.deepEqual(userPart(message), expected[i], `${type} is sent as it was at the call`);
  });
});

test('mutating the caller objects while the message waits in the queue (after the call returned and a turn passed) changes nothing', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url, flushAt: 1000 });
  const start = server.requests.length;
  const given = TYPES.map((type) => paramsFor(type, 'later'));
  const expected = given.map((params) => structuredClone(params));
  TYPES.forEach((type, i) => void call(analytics, type, given[i]!));
  await nextTurn();
  for (const params of given) mutate(params);
  await analytics.closeAndFlush();

  const sent = sentSince(start);
  TYPES.forEach((type, i) => assert.deepEqual(userPart(sent.get(`later-${type}`)!), expected[i], `${type} is sent as it was at the call`));
});

test('the library never mutates the caller objects, including a context holding its own keys (library, otel) and Dates', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url });
  const start = server.requests.length;
  const at = new Date('2026-05-06T07:08:09.010Z');
  const given = TYPES.map((type) => {
    const params = paramsFor(type, 'untouched');
    if (type !== 'screen') params.userId = 42;
    params.timestamp = at;
    params.context = { library: { name: 'my-own', version: '9.9.9' }, otel: { traceId: 'mine' }, ip: '198.51.100.1', when: at };
    if ('properties' in params) (params.properties as Params).at = at;
    if ('traits' in params) (params.traits as Params).createdAt = at;
    return params;
  });
  const before = given.map((params) => structuredClone(params));
  TYPES.forEach((type, i) => void call(analytics, type, given[i]!));
  assert.deepEqual(given, before, 'unchanged right after the calls');
  await analytics.closeAndFlush();
  assert.deepEqual(given, before, 'unchanged after delivery');
  for (const params of given) {
    const context = params.context as Params;
    assert.ok(context.when instanceof Date, 'a Date in context is still a Date');
    assert.ok(Object.hasOwn(context, 'library') && Object.hasOwn(context, 'otel'), 'the caller context keeps its library and otel keys');
  }
  // And what was sent carries the package's own library, not the caller's.
  const sent = sentSince(start);
  const track = sent.get('untouched-track')!;
  assert.deepEqual((track.context as Params).library, { name: LIBRARY.name, version: LIBRARY.version });
  assert.equal((track.context as Params).ip, '198.51.100.1');
  assert.equal((track.properties as Params).at, at.toISOString());
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

test('deeply frozen params (with a context holding library) are accepted and delivered as given', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url });
  const start = server.requests.length;
  const params = deepFreeze({
    userId: 'frozen',
    event: 'Frozen',
    messageId: 'frozen-1',
    properties: { plan: 'pro', list: [1, { two: 2 }] },
    context: { library: { name: 'mine' }, ip: '192.0.2.1' },
  });
  const id = analytics.track(params);
  await analytics.closeAndFlush();
  assert.equal(id, 'frozen-1');
  const message = sentSince(start).get('frozen-1')!;
  assert.deepEqual(message.properties, { plan: 'pro', list: [1, { two: 2 }] });
  assert.equal((message.context as Params).ip, '192.0.2.1');
});

test("through a user's logs pipeline (loggerProvider), later mutation changes neither what is sent nor what other exporters see", async () => {
  const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url });
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory }), new BatchLogRecordProcessor({ exporter })] });
  const analytics = new Analytics({ loggerProvider: provider, writeKey: 'k', host: server.url });
  const start = server.requests.length;
  const params = paramsFor('track', 'pipeline');
  const expected = structuredClone(params);
  call(analytics, 'track', params);
  mutate(params);
  await analytics.closeAndFlush();
  const records = memory.getFinishedLogRecords(); // read before shutdown, which empties it
  await provider.shutdown();

  const message = sentSince(start).get('pipeline-track');
  assert.ok(message !== undefined, 'sent through the user pipeline');
  assert.deepEqual(userPart(message), expected);
  const [record] = records;
  assert.ok(record !== undefined, 'the other exporter saw the record');
  const body = record.body as Params;
  assert.deepEqual(body.properties, expected.properties, 'the body map other exporters see is the snapshot too');
  assert.equal(body.userId, 'u1');
});
