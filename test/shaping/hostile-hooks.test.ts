import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Analytics, MetaRouterSpanExporter, type BeforeSend, type DeliveryError, type ErrorCode, type MetaRouterError } from '../../src/index.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { tracerProvider } from '../helpers/otel.js';
import { jsonAttributes, jsonLogsRequest, post, startBridgePipeline } from '../helpers/otlp-bridge.js';

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Values that cannot be turned into text the usual ways (`String(value)`, `value.message`). */
const UNPRINTABLE: ReadonlyArray<readonly [string, () => unknown]> = [
  ['a null-prototype object', () => Object.create(null)],
  ['an object whose toString throws', () => ({ toString: () => { throw new Error('toString exploded'); } })],
  ['an Error whose message getter throws', () => Object.defineProperty(new Error('hidden'), 'message', { get: () => { throw new Error('message exploded'); } })],
  ['an object whose Symbol.toPrimitive throws', () => ({ [Symbol.toPrimitive]: () => { throw new Error('toPrimitive exploded'); } })],
  ['a revoked Proxy', revoked],
  ['a Proxy whose every trap throws', () => new Proxy({}, { get: () => { throw Object.create(null); }, getPrototypeOf: () => { throw Object.create(null); }, ownKeys: () => { throw Object.create(null); } })],
];

const message = { userId: 'u1', event: 'Paid' };

/** Hooks that misbehave in a way the docs answer with a report, and the code they are reported with. */
const HOSTILE_HOOKS: ReadonlyArray<readonly [string, BeforeSend, ErrorCode]> = [
  ...UNPRINTABLE.map(([what, make]) => [`throws ${what}`, () => { throw make(); }, 'MR_ERR_BEFORE_SEND_FAILED'] as const),
  ...UNPRINTABLE.map(([what, make]) => [`returns a message whose getter throws ${what}`, () => ({ ...message, get properties() { throw make(); } }), 'MR_ERR_BEFORE_SEND_INVALID'] as const),
  ['returns a message whose then getter throws', () => ({ ...message, get then() { throw Object.create(null); } }), 'MR_ERR_BEFORE_SEND_INVALID'],
  ['returns a revoked Proxy', () => revoked() as never, 'MR_ERR_BEFORE_SEND_INVALID'],
  ['returns a Proxy whose getPrototypeOf trap throws', () => new Proxy({ ...message }, { getPrototypeOf: () => { throw new Error('trap'); } }), 'MR_ERR_BEFORE_SEND_INVALID'],
  ['returns a Proxy whose get trap throws a non-Error', () => new Proxy({ ...message }, { get: () => { throw Object.create(null); } }), 'MR_ERR_BEFORE_SEND_INVALID'],
  ['returns a message whose properties are a Proxy whose traps throw', () => ({ ...message, properties: new Proxy({}, { getPrototypeOf: () => { throw 'no prototype'; }, ownKeys: () => { throw Object.create(null); } }) }), 'MR_ERR_BEFORE_SEND_INVALID'],
];

/** The report is one a listener can print: util.inspect and its message never throw. */
function assertPrintable(error: MetaRouterError): void {
  assert.equal(typeof error.message, 'string');
  assert.doesNotThrow(() => inspect(error));
}

for (const [what, hook, code] of HOSTILE_HOOKS) {
  test(`a hook that ${what}: the call returns, the message is reported (${code}) by its messageId, nothing is sent`, async () => {
    const server = await startIngestServer();
    const analytics = new Analytics({ writeKey: 'k', host: server.url, beforeSend: hook });
    const errors: MetaRouterError[] = [];
    analytics.on('error', (error) => errors.push(error));
    try {
      const id = analytics.track({ ...message, properties: { plan: 'pro' } });
      await analytics.flush();
      assert.deepEqual(errors.map((error) => [error.code, (error as DeliveryError).messageIds]), [[code, [id]]]);
      assertPrintable(errors[0]!);
      assert.deepEqual(server.accepted, []);
    } finally {
      await analytics.closeAndFlush();
      await server.close();
    }
  });
}

test('MetaRouterSpanExporter: every hostile hook is reported by the event’s messageId, none stops the export', async () => {
  const server = await startIngestServer();
  let index = 0;
  const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url, beforeSend: (shaped) => (shaped.event === 'Fine' ? shaped : HOSTILE_HOOKS[index++]![1](shaped)) });
  const errors: MetaRouterError[] = [];
  exporter.on('error', (error) => errors.push(error));
  const { provider, tracer } = tracerProvider({ processors: [new BatchSpanProcessor(exporter)] });
  try {
    const span = tracer.startSpan('checkout');
    HOSTILE_HOOKS.forEach((_, n) => span.addEvent('analytics.track', { 'analytics.user_id': 'u1', 'analytics.event': 'Paid', 'analytics.message_id': `m-${n}` }));
    span.addEvent('analytics.track', { 'analytics.user_id': 'u1', 'analytics.event': 'Fine', 'analytics.message_id': 'fine' });
    span.end();
    await provider.shutdown();
    assert.deepEqual(errors.map((error) => [error.code, (error as DeliveryError).messageIds]), HOSTILE_HOOKS.map(([, , code], n) => [code, [`m-${n}`]]));
    errors.forEach(assertPrintable);
    assert.deepEqual(server.accepted.map((sent) => sent.messageId), ['fine']);
  } finally {
    await server.close();
  }
});

test('startBridge: every hostile hook is reported by the event’s messageId and the request is answered 200, never 500', async () => {
  let index = 0;
  const pipeline = await startBridgePipeline({ beforeSend: (shaped) => (shaped.event === 'Fine' ? shaped : HOSTILE_HOOKS[index++]![1](shaped)) });
  try {
    const record = (event: string, id: string) => ({ eventName: 'analytics.track', timeUnixNano: '1700000000000000000', attributes: jsonAttributes({ 'analytics.user_id': 'u1', 'analytics.event': event, 'analytics.message_id': id }) });
    const records = [...HOSTILE_HOOKS.map((_, n) => record('Paid', `m-${n}`)), record('Fine', 'fine')];
    const answer = await post(pipeline.url('/v1/logs'), jsonLogsRequest(records));
    assert.equal(answer.status, 200, answer.body.toString());
    await pipeline.ingest.waitForAccepted(1);
    assert.deepEqual(pipeline.errors.map((error) => [error.code, error.messageIds]), HOSTILE_HOOKS.map(([, , code], n) => [code, [`m-${n}`]]));
    pipeline.errors.forEach(assertPrintable);
    assert.deepEqual(pipeline.ingest.accepted.map((sent) => sent.messageId), ['fine']);
  } finally {
    await pipeline.close();
  }
});
