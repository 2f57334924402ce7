import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { test } from 'node:test';
import { Analytics, type BeforeSend, type DeliveryError, type MetaRouterError, type SegmentMessage } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

/** The built-in pipeline with the given hooks, over a fresh ingestion server. */
async function withAnalytics(beforeSend: BeforeSend | BeforeSend[], body: (analytics: Analytics, server: IngestServer, errors: MetaRouterError[]) => Promise<void>): Promise<void> {
  const server = await startIngestServer();
  const analytics = new Analytics({ writeKey: 'k', host: server.url, beforeSend });
  const errors: MetaRouterError[] = [];
  analytics.on('error', (error) => errors.push(error));
  try {
    await body(analytics, server, errors);
  } finally {
    await analytics.closeAndFlush();
    await server.close();
  }
}

test('a hook edits the message at the call: what it returns is sent under the messageId the call returned', async () => {
  await withAnalytics(
    (message) => {
      (message.properties as Record<string, unknown>).card = '[redacted]';
      return message;
    },
    async (analytics, server, errors) => {
      const id = analytics.track({ userId: 'u1', event: 'Paid', properties: { card: '4111', plan: 'pro' } });
      await analytics.flush();
      assert.deepEqual(server.accepted.map((message) => message.messageId), [id]);
      assert.deepEqual(server.accepted[0]!.properties, { card: '[redacted]', plan: 'pro' });
      assert.deepEqual(errors, []);
    },
  );
});

test('the hook gets a plain copy at the call, without the writeKey; later changes to the caller’s objects change nothing', async () => {
  const seen: SegmentMessage[] = [];
  let calledDuringTheCall = false;
  let inCall = false;
  await withAnalytics(
    (message) => {
      calledDuringTheCall = inCall;
      seen.push(structuredClone(message));
      (message.properties as Record<string, unknown>).plan = 'edited by the hook';
      return message;
    },
    async (analytics, server) => {
      const properties = { plan: 'pro' };
      inCall = true;
      const id = analytics.track({ userId: 'u1', event: 'Paid', properties });
      inCall = false;
      properties.plan = 'changed after the call';
      await analytics.flush();

      assert.ok(calledDuringTheCall, 'the hook ran inside the call');
      assert.deepEqual(properties, { plan: 'changed after the call' }, 'the hook never saw the caller’s object');
      const [message] = seen;
      assert.equal(message!.messageId, id);
      assert.equal(message!.type, 'track');
      assert.equal('writeKey' in message!, false, 'no writeKey in what the hook sees');
      assert.deepEqual(message!.context.library, { name: LIBRARY.name, version: LIBRARY.version });
      assert.deepEqual(server.accepted[0]!.properties, { plan: 'edited by the hook' });
    },
  );
});

test('a list of hooks runs in order, each given what the previous one returned', async () => {
  await withAnalytics(
    [
      (message) => ({ ...message, properties: { ...message.properties, steps: ['first'] } }),
      (message) => {
        (message.properties!.steps as string[]).push('second');
        return message;
      },
    ],
    async (analytics, server) => {
      analytics.track({ userId: 'u1', event: 'Paid' });
      await analytics.flush();
      assert.deepEqual(server.accepted[0]!.properties, { steps: ['first', 'second'] });
    },
  );
});

test('a hook returning null drops the message: counted as filtered, observable, not an error', async () => {
  const events: unknown[] = [];
  const listener = (event: unknown) => events.push(event);
  diagnosticsChannel.subscribe('metarouter-otel:filter', listener);
  try {
    await withAnalytics(
      (message) => (message.event === 'Noise' ? null : message),
      async (analytics, server, errors) => {
        const dropped = analytics.track({ userId: 'u1', event: 'Noise' });
        const kept = analytics.track({ userId: 'u1', event: 'Signal' });
        await analytics.flush();
        assert.deepEqual(server.accepted.map((message) => message.messageId), [kept]);
        assert.deepEqual(errors, [], 'dropping was the user’s decision');
        assert.equal(analytics.counters!.filtered, 1);
        assert.equal(analytics.counters!.dropped, 0);
        assert.equal(analytics.counters!.accepted, 1);
        assert.deepEqual(events, [{ messageId: dropped, stage: 'beforeSend' }]);
      },
    );
  } finally {
    diagnosticsChannel.unsubscribe('metarouter-otel:filter', listener);
  }
});

test('a hook that throws: the message is not sent, the call returns normally, the failure is reported with the messageId', async () => {
  const bug = new Error('hook bug');
  await withAnalytics(
    () => {
      throw bug;
    },
    async (analytics, server, errors) => {
      const id = analytics.track({ userId: 'u1', event: 'Paid', properties: { card: '4111' } });
      await analytics.flush();
      assert.deepEqual(server.accepted, [], 'a crashed redaction hook must not leak what it was to remove');
      assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_BEFORE_SEND_FAILED']);
      assert.deepEqual((errors[0] as DeliveryError).messageIds, [id]);
      assert.equal(errors[0]!.cause, bug);
      assert.equal(analytics.counters!.refused, 1);
    },
  );
});

test('a hook returning a Promise is refused (hooks are synchronous); its rejection does not go unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await withAnalytics(
      (async () => {
        throw new Error('async hook');
      }) as unknown as BeforeSend,
      async (analytics, server, errors) => {
        const id = analytics.track({ userId: 'u1', event: 'Paid' });
        await analytics.flush();
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(server.accepted, []);
        assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_BEFORE_SEND_ASYNC']);
        assert.deepEqual((errors[0] as DeliveryError).messageIds, [id]);
      },
    );
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

for (const [what, hook, pattern] of [
  ['undefined (a hook that forgot to return)', () => undefined, /returned undefined/],
  ['an array', () => [], /array/],
  ['a track without event', (message: SegmentMessage) => ({ ...message, event: undefined }), /event/],
  ['properties that are not an object', (message: SegmentMessage) => ({ ...message, properties: 'text' }), /properties/],
  ['an invalid timestamp', (message: SegmentMessage) => ({ ...message, timestamp: 'yesterday' }), /timestamp/],
  ['a message over 32 KB', (message: SegmentMessage) => ({ ...message, properties: { blob: 'x'.repeat(40_000) } }), /32768/],
  ['a circular structure', (message: SegmentMessage) => ({ ...message, properties: (() => { const loop: Record<string, unknown> = {}; loop.self = loop; return loop; })() }), /JSON/],
] as const) {
  test(`a hook returning ${what}: not sent, reported as MR_ERR_BEFORE_SEND_INVALID with the messageId`, async () => {
    await withAnalytics(hook as unknown as BeforeSend, async (analytics, server, errors) => {
      const id = analytics.track({ userId: 'u1', event: 'Paid' });
      await analytics.flush();
      assert.deepEqual(server.accepted, []);
      assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_BEFORE_SEND_INVALID']);
      assert.deepEqual((errors[0] as DeliveryError).messageIds, [id]);
      assert.match(errors[0]!.message, pattern);
    });
  });
}

test('what wins: type, messageId, writeKey, context.library and context.otel stay the library’s; fields and timestamp are the hook’s', async () => {
  await withAnalytics(
    (message) => ({
      ...message,
      type: 'identify',
      messageId: 'hook-id',
      writeKey: 'another-source',
      timestamp: new Date('2026-01-02T03:04:05.000Z'),
      context: { ...message.context, library: { name: 'spoofed', version: '0' }, otel: { traceId: 'x', spanId: 'y' }, locale: 'fr-FR' },
      userId: 'hashed-user',
      channel: 'server',
    }),
    async (analytics, server) => {
      const id = analytics.track({ userId: 'u1', event: 'Paid' });
      await analytics.flush();
      const [message] = server.accepted;
      assert.equal(message!.messageId, id);
      assert.equal(message!.type, 'track');
      assert.equal(message!.writeKey, 'k');
      assert.equal(server.requests[0]!.body.writeKey, 'k');
      assert.deepEqual(message!.context, { library: { name: LIBRARY.name, version: LIBRARY.version }, locale: 'fr-FR' });
      assert.equal(message!.userId, 'hashed-user');
      assert.equal(message!.timestamp, '2026-01-02T03:04:05.000Z');
      assert.equal('channel' in message!, false, 'keys outside the Segment Spec are not sent');
    },
  );
});

test('a hook that mutates its argument and returns it is fine, and is not given the same object twice', async () => {
  const given: SegmentMessage[] = [];
  await withAnalytics(
    (message) => {
      given.push(message);
      message.userId = 'anonymised';
      return message;
    },
    async (analytics, server) => {
      analytics.identify({ userId: 'u1', traits: { email: 'a@example.com' } });
      analytics.identify({ userId: 'u2' });
      await analytics.flush();
      assert.deepEqual(server.accepted.map((message) => message.userId), ['anonymised', 'anonymised']);
      assert.notEqual(given[0], given[1]);
    },
  );
});
