import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Analytics, MetaRouterError, ValidationError, type EventType } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(() => server.close());

/** A valid call of each type, to which a test adds or removes one thing. */
const VALID: Readonly<Record<EventType, Readonly<Record<string, unknown>>>> = {
  identify: { userId: 'u' },
  track: { userId: 'u', event: 'E' },
  page: { userId: 'u' },
  screen: { userId: 'u' },
  group: { userId: 'u', groupId: 'g' },
  alias: { previousId: 'p', userId: 'u' },
};
const TYPES = Object.keys(VALID) as EventType[];

/** Calls a method with params its TypeScript type would refuse: what a JavaScript caller can do. */
function call(analytics: Analytics, type: EventType, params: unknown): string {
  return (analytics[type] as (params: unknown) => string).call(analytics, params);
}

/** Asserts that `run` throws a ValidationError synchronously (not a rejected promise, not a report). */
function expectInvalid(run: () => unknown, code: string, field: string, label = `${code} ${field}`): ValidationError {
  let returned: unknown;
  let caught: unknown;
  try {
    returned = run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, `${label}: expected a ValidationError to be thrown, the call returned ${String(returned)}`);
  assert.ok(caught instanceof ValidationError, `${label}: expected a ValidationError, got ${String(caught)}`);
  assert.ok(caught instanceof MetaRouterError, `${label}: a ValidationError is a MetaRouterError`);
  assert.ok(caught instanceof Error, `${label}: a ValidationError is an Error`);
  assert.equal(caught.code, code, `${label}: code`);
  assert.equal(caught.field, field, `${label}: field`);
  assert.equal(typeof caught.message, 'string');
  assert.ok(caught.message.length > 0, `${label}: has a message`);
  return caught;
}

/**
 * Runs `run` against a fresh Analytics on the shared server, closes it, and returns every message
 * the server received from it. Also asserts that nothing reached the error channel: an invalid call
 * is thrown at the caller, not reported.
 */
async function sentBy(run: (analytics: Analytics) => void): Promise<Record<string, unknown>[]> {
  const analytics = new Analytics({ writeKey: 'k', host: server.url });
  const reported: unknown[] = [];
  analytics.on('error', (error) => reported.push(error));
  const start = server.requests.length;
  try {
    run(analytics);
  } finally {
    await analytics.closeAndFlush();
  }
  assert.deepEqual(reported, [], 'invalid calls are thrown, never reported on the error channel');
  return server.requests.slice(start).flatMap((request) => request.body.batch);
}

function idsOf(messages: Record<string, unknown>[]): unknown[] {
  return messages.map((message) => message.messageId);
}

test('a call with neither userId nor anonymousId throws MR_ERR_MISSING_IDENTITY, for every type but alias, and sends nothing', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    for (const type of TYPES.filter((name) => name !== 'alias')) {
      const { userId: _userId, ...withoutIdentity } = VALID[type];
      expectInvalid(() => call(analytics, type, withoutIdentity), 'MR_ERR_MISSING_IDENTITY', 'userId', `${type} without identity`);
      expectInvalid(() => call(analytics, type, { ...withoutIdentity, userId: '' }), 'MR_ERR_MISSING_IDENTITY', 'userId', `${type} with userId ''`);
      expectInvalid(() => call(analytics, type, { ...withoutIdentity, userId: null, anonymousId: undefined }), 'MR_ERR_MISSING_IDENTITY', 'userId', `${type} with null ids`);
    }
    marker = analytics.track({ userId: 'marker', event: 'Marker' });
  });
  assert.deepEqual(idsOf(sent), [marker], 'only the valid marker call was sent');
});

test('TypeScript refuses a call without identity and an alias without previousId; at run time they throw', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    expectInvalid(
      // @ts-expect-error neither userId nor anonymousId: the Identity type must reject this call
      () => analytics.track({ event: 'x' }),
      'MR_ERR_MISSING_IDENTITY',
      'userId',
    );
    expectInvalid(
      // @ts-expect-error alias needs previousId: AliasParams must reject this call
      () => analytics.alias({ userId: 'u' }),
      'MR_ERR_MISSING_FIELD',
      'previousId',
    );
    marker = analytics.track({ anonymousId: 'marker', event: 'Marker' });
  });
  assert.deepEqual(idsOf(sent), [marker]);
});

test('missing required fields throw MR_ERR_MISSING_FIELD naming the field: track event, group groupId, alias previousId and userId', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    expectInvalid(() => call(analytics, 'track', { userId: 'u' }), 'MR_ERR_MISSING_FIELD', 'event', 'track without event');
    expectInvalid(() => call(analytics, 'track', { userId: 'u', event: '' }), 'MR_ERR_MISSING_FIELD', 'event', "track with event ''");
    expectInvalid(() => call(analytics, 'group', { userId: 'u' }), 'MR_ERR_MISSING_FIELD', 'groupId', 'group without groupId');
    expectInvalid(() => call(analytics, 'group', { anonymousId: 'a', groupId: '' }), 'MR_ERR_MISSING_FIELD', 'groupId', "group with groupId ''");
    expectInvalid(() => call(analytics, 'alias', { userId: 'u' }), 'MR_ERR_MISSING_FIELD', 'previousId', 'alias without previousId');
    expectInvalid(() => call(analytics, 'alias', { previousId: 'p' }), 'MR_ERR_MISSING_FIELD', 'userId', 'alias without userId');
    expectInvalid(() => call(analytics, 'alias', { previousId: 'p', anonymousId: 'a' }), 'MR_ERR_MISSING_FIELD', 'userId', 'alias with anonymousId instead of userId');
    marker = analytics.group({ userId: 'u', groupId: 'marker' });
  });
  assert.deepEqual(idsOf(sent), [marker]);
});

test('properties, traits, context and integrations that are not plain objects throw MR_ERR_INVALID_FIELD naming the field', async () => {
  class Plan {
    tier = 'pro';
  }
  const notPlain: Array<[string, unknown]> = [
    ['an empty array', []],
    ['an array', ['a', 'b']],
    ['a string', 'plan=pro'],
    ['a Map', new Map([['plan', 'pro']])],
    ['a class instance', new Plan()],
    ['a Date', new Date('2026-01-01T00:00:00Z')],
    ['a number', 42],
  ];
  const fieldsOf: Record<string, EventType[]> = {
    properties: ['track', 'page', 'screen'],
    traits: ['identify', 'group'],
    context: TYPES,
    integrations: TYPES,
  };
  let marker = '';
  const sent = await sentBy((analytics) => {
    for (const [field, types] of Object.entries(fieldsOf)) {
      for (const type of types) {
        for (const [label, value] of notPlain) {
          expectInvalid(() => call(analytics, type, { ...VALID[type], [field]: value }), 'MR_ERR_INVALID_FIELD', field, `${type} with ${field} as ${label}`);
        }
      }
    }
    // A null-prototype object is a plain object: accepted.
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { plan: 'pro' });
    marker = analytics.track({ userId: 'u', event: 'Marker', properties: bare });
  });
  assert.deepEqual(idsOf(sent), [marker]);
  assert.deepEqual(sent[0]!.properties, { plan: 'pro' });
});

test('ids that are neither strings nor finite numbers throw MR_ERR_INVALID_FIELD naming the id', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    expectInvalid(() => call(analytics, 'track', { userId: { id: 1 }, event: 'E' }), 'MR_ERR_INVALID_FIELD', 'userId', 'object userId');
    expectInvalid(() => call(analytics, 'track', { anonymousId: Number.NaN, event: 'E' }), 'MR_ERR_INVALID_FIELD', 'anonymousId', 'NaN anonymousId');
    expectInvalid(() => call(analytics, 'group', { userId: 'u', groupId: ['g'] }), 'MR_ERR_INVALID_FIELD', 'groupId', 'array groupId');
    expectInvalid(() => call(analytics, 'track', { userId: 'u', event: 7 }), 'MR_ERR_INVALID_FIELD', 'event', 'number event');
    marker = analytics.track({ userId: 7, event: 'Marker' });
  });
  assert.deepEqual(idsOf(sent), [marker]);
  assert.equal(sent[0]!.userId, '7', 'a numeric id is sent as a string');
});

test('params that are not an object (null, undefined, a string, a number) throw MR_ERR_INVALID_FIELD for field params', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    for (const type of TYPES) {
      for (const params of [null, undefined, 'user-1', 42]) {
        expectInvalid(() => call(analytics, type, params), 'MR_ERR_INVALID_FIELD', 'params', `${type}(${String(params)})`);
      }
    }
    marker = analytics.identify({ userId: 'marker' });
  });
  assert.deepEqual(idsOf(sent), [marker]);
});

test('an invalid timestamp (invalid Date, unparseable or empty string) throws MR_ERR_INVALID_FIELD for timestamp; a valid one is sent in UTC', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    for (const timestamp of [new Date('x'), 'not a date', '']) {
      for (const type of TYPES) {
        expectInvalid(() => call(analytics, type, { ...VALID[type], timestamp }), 'MR_ERR_INVALID_FIELD', 'timestamp', `${type} with timestamp ${String(timestamp)}`);
      }
    }
    marker = analytics.track({ userId: 'u', event: 'Marker', timestamp: '2026-01-02T03:04:05+02:00' });
  });
  assert.deepEqual(idsOf(sent), [marker]);
  assert.equal(sent[0]!.timestamp, '2026-01-02T01:04:05.000Z');
});

test('a messageId over 100 characters (or empty, or not a string) throws MR_ERR_INVALID_FIELD; one of exactly 100 is kept', async () => {
  const longest = 'm'.repeat(100);
  let kept = '';
  const sent = await sentBy((analytics) => {
    for (const messageId of ['m'.repeat(101), '', 12345]) {
      expectInvalid(() => call(analytics, 'track', { userId: 'u', event: 'E', messageId }), 'MR_ERR_INVALID_FIELD', 'messageId', `messageId ${String(messageId).slice(0, 10)}`);
    }
    kept = analytics.track({ userId: 'u', event: 'E', messageId: longest });
  });
  assert.equal(kept, longest);
  assert.deepEqual(idsOf(sent), [longest]);
});

test('values JSON cannot represent throw MR_ERR_NOT_SERIALIZABLE: circular reference, BigInt, a throwing toJSON, a throwing getter', async () => {
  const circular: Record<string, unknown> = { plan: 'pro' };
  circular.self = circular;
  const deepCircular: Record<string, unknown> = { a: { b: {} } };
  ((deepCircular.a as Record<string, unknown>).b as Record<string, unknown>).back = deepCircular;
  const throwingToJson = { when: { toJSON: () => { throw new Error('toJSON failed'); } } };
  const throwingGetter = Object.defineProperty({ plan: 'pro' }, 'boom', {
    enumerable: true,
    get() {
      throw new Error('getter failed');
    },
  });
  const cases: Array<[string, unknown]> = [
    ['a circular reference', circular],
    ['a deep circular reference', deepCircular],
    ['a BigInt', { amount: 10n }],
    ['a nested BigInt', { order: { lines: [{ amount: 1n }] } }],
    ['a throwing toJSON', throwingToJson],
    ['a throwing getter', throwingGetter],
  ];
  let marker = '';
  const sent = await sentBy((analytics) => {
    for (const [label, value] of cases) {
      expectInvalid(() => call(analytics, 'track', { userId: 'u', event: 'E', properties: value }), 'MR_ERR_NOT_SERIALIZABLE', 'properties', `properties with ${label}`);
      expectInvalid(() => call(analytics, 'identify', { userId: 'u', traits: value }), 'MR_ERR_NOT_SERIALIZABLE', 'traits', `traits with ${label}`);
      expectInvalid(() => call(analytics, 'page', { userId: 'u', context: value }), 'MR_ERR_NOT_SERIALIZABLE', 'context', `context with ${label}`);
      expectInvalid(() => call(analytics, 'group', { userId: 'u', groupId: 'g', integrations: value }), 'MR_ERR_NOT_SERIALIZABLE', 'integrations', `integrations with ${label}`);
    }
    marker = analytics.track({ userId: 'u', event: 'Marker' });
  });
  assert.deepEqual(idsOf(sent), [marker]);
});

test('a getter on the params object itself that throws becomes a ValidationError (MR_ERR_NOT_SERIALIZABLE), not a raw exception', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    const params = Object.defineProperty({ userId: 'u' }, 'event', {
      enumerable: true,
      get() {
        throw new Error('event getter failed');
      },
    });
    const error = expectInvalid(() => call(analytics, 'track', params), 'MR_ERR_NOT_SERIALIZABLE', 'event');
    assert.ok(error.cause instanceof Error, 'the original exception is kept as the cause');
    marker = analytics.track({ userId: 'u', event: 'Marker' });
  });
  assert.deepEqual(idsOf(sent), [marker]);
});

test('Dates inside properties and traits arrive as ISO strings', async () => {
  const at = new Date('2026-03-04T05:06:07.089Z');
  const sent = await sentBy((analytics) => {
    analytics.track({ userId: 'u', event: 'Dated', properties: { at, nested: { at }, list: [at, 'x'] } });
    analytics.identify({ userId: 'u', traits: { createdAt: at } });
  });
  assert.equal(sent.length, 2);
  assert.deepEqual(sent[0]!.properties, { at: at.toISOString(), nested: { at: at.toISOString() }, list: [at.toISOString(), 'x'] });
  assert.deepEqual(sent[1]!.traits, { createdAt: at.toISOString() });
});

/** UTF-8 bytes of a message's JSON as it arrived (the wire form is compact JSON, in this key order). */
function bytesOf(message: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(message));
}

test('a message of exactly 32 KB of JSON is accepted and delivered; one byte more throws MR_ERR_MESSAGE_TOO_LARGE and sends nothing', async () => {
  const limit = 32 * 1024;
  const timestamp = '2026-01-01T00:00:00.000Z';
  const withPad = (messageId: string, pad: number) => ({ userId: 'u', event: 'Big', messageId, timestamp, properties: { pad: 'x'.repeat(pad) } });
  // Measure what the envelope of such a message takes on the wire, with a messageId of the same length.
  const probe = await sentBy((analytics) => void analytics.track(withPad('size-probe-0', 1000)));
  assert.equal(probe.length, 1);
  const pad = 1000 + (limit - bytesOf(probe[0]!));

  let marker = '';
  const sent = await sentBy((analytics) => {
    analytics.track(withPad('size-exact-0', pad));
    expectInvalid(() => analytics.track(withPad('size-over-00', pad + 1)), 'MR_ERR_MESSAGE_TOO_LARGE', 'params', 'one byte over 32 KB');
    expectInvalid(() => analytics.track(withPad('size-huge-00', 200_000)), 'MR_ERR_MESSAGE_TOO_LARGE', 'params', 'far over 32 KB');
    marker = analytics.track({ userId: 'u', event: 'Marker' });
  });
  assert.deepEqual(idsOf(sent), ['size-exact-0', marker]);
  assert.equal(bytesOf(sent[0]!), limit, 'the accepted message is exactly 32768 bytes on the wire');
});

test('the 32 KB limit counts UTF-8 bytes, not characters', async () => {
  let marker = '';
  const sent = await sentBy((analytics) => {
    // 17,000 characters but 34,000 bytes of 'é'.
    expectInvalid(() => analytics.track({ userId: 'u', event: 'Accents', properties: { pad: 'é'.repeat(17_000) } }), 'MR_ERR_MESSAGE_TOO_LARGE', 'params');
    // 16,000 characters, 32,000 bytes, plus the envelope: under the limit.
    marker = analytics.track({ userId: 'u', event: 'Accents', properties: { pad: 'é'.repeat(16_000) } });
  });
  assert.deepEqual(idsOf(sent), [marker]);
  assert.ok(bytesOf(sent[0]!) <= 32 * 1024);
  assert.equal((sent[0]!.properties as { pad: string }).pad, 'é'.repeat(16_000));
});
