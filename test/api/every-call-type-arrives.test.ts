import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(() => server.close());

test('every call type arrives as the Segment Spec says, with library, writeKey, sentAt, timestamp and Basic auth', async () => {
  const analytics = new Analytics({ writeKey: 'metarouter_source_id', host: server.url });
  const at = new Date('2026-01-02T03:04:05.678Z');
  const ids = {
    identify: analytics.identify({ userId: '1234qwerty', traits: { name: 'Arthur Dent', email: 'earthling1@hitchhikersguide.com', friends: 100 } }),
    track: analytics.track({ userId: '1234qwerty', event: 'Signed Up', properties: { plan: 'pro' }, timestamp: at }),
    page: analytics.page({ userId: 'user_id', category: 'Docs', name: 'Python', properties: { url: 'http://metarouter.io' } }),
    screen: analytics.screen({ anonymousId: 'anon-1', name: 'Home' }),
    group: analytics.group({ userId: 'user_id', groupId: 'group_id', traits: { name: 'MetaRouter', domain: 'Data Engineering Platform' } }),
    alias: analytics.alias({ previousId: 'anon-42', userId: '1234qwerty' }),
  };
  const before = Date.now();
  await analytics.closeAndFlush();

  assert.equal(server.requests.length, 1);
  const [request] = server.requests;
  assert.equal(request!.url, '/v1/batch');
  assert.equal(request!.headers['content-type'], 'application/json');
  assert.equal(request!.headers.authorization, `Basic ${Buffer.from('metarouter_source_id:').toString('base64')}`);
  assert.equal(request!.body.writeKey, 'metarouter_source_id');
  assert.ok(Math.abs(Date.parse(request!.body.sentAt) - before) < 60_000, 'sentAt is the send time');

  const byType = new Map(request!.body.batch.map((message) => [message.type, message]));
  assert.deepEqual([...byType.keys()], ['identify', 'track', 'page', 'screen', 'group', 'alias']);
  for (const [type, id] of Object.entries(ids)) {
    const message = byType.get(type)!;
    assert.equal(message.messageId, id, `${type} keeps the returned messageId`);
    assert.equal(message.writeKey, 'metarouter_source_id');
    assert.deepEqual((message.context as Record<string, unknown>).library, { name: LIBRARY.name, version: LIBRARY.version });
    assert.match(String(message.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  const { messageId: _t, context: _c, writeKey: _w, ...track } = byType.get('track')!;
  assert.deepEqual(track, { type: 'track', userId: '1234qwerty', event: 'Signed Up', properties: { plan: 'pro' }, timestamp: at.toISOString() });
  assert.deepEqual(byType.get('identify')!.traits, { name: 'Arthur Dent', email: 'earthling1@hitchhikersguide.com', friends: 100 });
  assert.equal(byType.get('page')!.category, 'Docs');
  assert.equal(byType.get('page')!.name, 'Python');
  assert.deepEqual(byType.get('page')!.properties, { url: 'http://metarouter.io' });
  assert.equal(byType.get('screen')!.anonymousId, 'anon-1');
  assert.equal(byType.get('screen')!.name, 'Home');
  assert.equal(byType.get('group')!.groupId, 'group_id');
  assert.deepEqual(byType.get('group')!.traits, { name: 'MetaRouter', domain: 'Data Engineering Platform' });
  assert.equal(byType.get('alias')!.previousId, 'anon-42');
  assert.equal(byType.get('alias')!.userId, '1234qwerty');
});

test('common fields: context is merged under library, integrations and a user messageId are kept, numeric ids become strings', async () => {
  const analytics = new Analytics({ writeKey: 'k', host: server.url });
  const start = server.accepted.length;
  const id = analytics.track({
    userId: 42,
    event: 'Paid',
    messageId: 'order-42-paid',
    context: { ip: '203.0.113.9', library: { name: 'spoofed' }, otel: { traceId: 'x' } },
    integrations: { All: false, Mixpanel: true },
  });
  assert.equal(id, 'order-42-paid');
  await analytics.closeAndFlush();
  const message = server.accepted[start]!;
  assert.equal(message.userId, '42');
  assert.equal(message.messageId, 'order-42-paid');
  assert.deepEqual(message.integrations, { All: false, Mixpanel: true });
  assert.deepEqual(message.context, { library: { name: LIBRARY.name, version: LIBRARY.version }, ip: '203.0.113.9' });
});
