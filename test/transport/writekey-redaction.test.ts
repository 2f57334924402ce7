import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { MockAgent } from 'undici';
import { Analytics, type MetaRouterError } from '../../src/index.js';
import { reply, startFaultServer } from '../helpers/fault-server.js';

/** A key with non-ASCII and the characters that JSON encoders of other languages escape. */
const KEY = 'clé/a&b<c>d+e"g\\h';

const hex4 = (code: number) => code.toString(16).padStart(4, '0');
/** Escapes every code unit matching `pattern` as \uXXXX, in JSON text. */
const escapeUnits = (json: string, pattern: RegExp, upper = false) => json.replace(pattern, (unit) => `\\u${upper ? hex4(unit.charCodeAt(0)).toUpperCase() : hex4(unit.charCodeAt(0))}`);

/** The writeKey as servers in other languages echo it. */
const ECHOED_FORMS: Record<string, string> = {
  'as is': KEY,
  'JSON (JavaScript)': JSON.stringify(KEY).slice(1, -1),
  "JSON, Python's ensure_ascii": escapeUnits(JSON.stringify(KEY).slice(1, -1), /[^\x00-\x7f]/g),
  "JSON, Go's HTML-safe escaping": escapeUnits(JSON.stringify(KEY).slice(1, -1), /[<>&]/g),
  "JSON, PHP's json_encode (escaped slashes, \\u00E9 upper case)": escapeUnits(JSON.stringify(KEY).slice(1, -1), /[^\x00-\x7f]/g, true).replace(/\//g, '\\/'),
  'URL-encoded': encodeURIComponent(KEY),
  'URL-encoded, lower-case hex': encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  'Basic credential': Buffer.from(`${KEY}:`).toString('base64'),
};

function everyRendering(error: unknown): string {
  return [String((error as Error).message), String((error as Error).stack), inspect(error, { depth: Infinity, showHidden: true })].join('\n');
}

function assertNoKey(text: string, where: string): void {
  for (const [name, form] of Object.entries(ECHOED_FORMS)) {
    assert.ok(!text.includes(form), `${where}: the writeKey ${name} (${form}) appears in: ${text.slice(0, 400)}`);
  }
}

test('a server echoing the writeKey as other languages escape it (ensure_ascii, HTML-safe, escaped slashes, URL-encoded) never gets it into a report', async () => {
  const echo = Object.entries(ECHOED_FORMS).map(([name, form]) => `${name}: ${form}`).join('; ');
  const server = await startFaultServer(() => reply(400, { body: echo }));
  const analytics = new Analytics({ writeKey: KEY, host: server.url });
  const errors: MetaRouterError[] = [];
  analytics.on('error', (error) => errors.push(error));
  try {
    analytics.track({ userId: 'u', event: 'Echoed' });
    await analytics.flush();
    assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_REJECTED']);
    assert.match(errors[0]!.message, /ensure_ascii: \[redacted\]/, 'the server words around the key are kept');
    assertNoKey(everyRendering(errors[0]), 'the 400 report');
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});

test('with a MockAgent whose interceptor does not match (body or headers), the cause is redacted too, and the batch is reported once, not retried as a network fault', async () => {
  const mismatches = [
    { name: 'body', interceptor: { path: '/v1/batch', method: 'POST', body: 'something else' } },
    { name: 'headers', interceptor: { path: '/v1/batch', method: 'POST', headers: { authorization: 'Basic other' } } },
  ];
  for (const { name, interceptor } of mismatches) {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent.get('https://e.example.com').intercept(interceptor).reply(200, '{}');
    const analytics = new Analytics({ writeKey: KEY, host: 'https://e.example.com', dispatcher: agent, maxRetries: 3 });
    const errors: MetaRouterError[] = [];
    analytics.on('error', (error) => errors.push(error));
    try {
      const id = analytics.track({ userId: 'u', event: 'Mocked' });
      await analytics.flush();
      assert.deepEqual(errors.map((error) => error.code), ['MR_ERR_DISPATCH_REFUSED'], name);
      assert.deepEqual((errors[0] as MetaRouterError & { messageIds: string[] }).messageIds, [id]);
      assert.equal(analytics.counters!.retries, 0, `${name}: a mismatch is not a network fault`);
      const cause = errors[0]!.cause as { code?: string; message: string };
      assert.equal(cause.code, 'UND_MOCK_ERR_MOCK_NOT_MATCHED', `${name}: the cause still says what happened`);
      assert.match(cause.message, /\[redacted\]/, name);
      assertNoKey(everyRendering(errors[0]), `the ${name} mismatch report`);
    } finally {
      await analytics.closeAndFlush({ timeout: 1000 });
      await agent.close();
    }
  }
});
