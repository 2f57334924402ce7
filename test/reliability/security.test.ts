import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, test } from 'node:test';
import { context, diag, DiagLogLevel, trace, type DiagLogger } from '@opentelemetry/api';
import { Analytics, ConfigurationError, type AnalyticsOptions, type MetaRouterError } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { OK, reply, startFaultServer, type Fault, type FaultRequest } from '../helpers/fault-server.js';
import { tracerProvider, useContextManager } from '../helpers/otel.js';
import { BROKEN_2XX_FAULTS, FINAL_FAULTS, RETRYABLE_FAULTS, settlesWithin } from './faults.js';

/** A key with characters JSON escapes, so that every form it can take on the wire is exercised. */
const KEY = 'sk_live"Secret\\Key/42+=';
const PLAIN_KEY = 'sk_live_plainSecretKey42';
const credential = (key: string) => Buffer.from(`${key}:`).toString('base64');
/** Every form a writeKey travels in: as is, JSON-escaped (request bodies), and in the Basic credential. */
const secretForms = (key: string) => [key, JSON.stringify(key).slice(1, -1), credential(key)];

const savedEnv = { writeKey: process.env.METAROUTER_WRITE_KEY, host: process.env.METAROUTER_HOST };
before(() => {
  delete process.env.METAROUTER_WRITE_KEY;
  delete process.env.METAROUTER_HOST;
});
after(() => {
  if (savedEnv.writeKey !== undefined) process.env.METAROUTER_WRITE_KEY = savedEnv.writeKey;
  if (savedEnv.host !== undefined) process.env.METAROUTER_HOST = savedEnv.host;
});

/** Every way an error is shown or logged, cause chain included. */
function renderings(error: unknown): string[] {
  const value = error as Error;
  let json = '';
  try {
    json = JSON.stringify(value);
  } catch {
    json = '';
  }
  return [String(value?.message), String(value?.stack), String(value), json, inspect(value, { depth: Infinity, showHidden: true })];
}

function assertNoSecret(texts: Iterable<string>, key: string, where: string): void {
  for (const text of texts) {
    for (const form of secretForms(key)) assert.ok(!text.includes(form), `${where}: the writeKey (as ${JSON.stringify(form)}) appears in: ${text.slice(0, 300)}`);
  }
}

/** Captures the OpenTelemetry diag output, diagnostics_channel messages and console calls while it runs. */
function captureOutputs(): { texts: string[]; stop(): void } {
  const texts: string[] = [];
  const record = (...args: unknown[]) => texts.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: Infinity }))).join(' '));
  const logger: DiagLogger = { error: record, warn: record, info: record, debug: record, verbose: record };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  const channels = ['metarouter-otel:request', 'metarouter-otel:response', 'metarouter-otel:drop', 'metarouter-otel:retry'];
  const onMessage = (message: unknown, name: string | symbol) => record(String(name), message);
  for (const name of channels) diagnosticsChannel.subscribe(name, onMessage);
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((method) => console[method]);
  for (const method of methods) console[method] = (...args: unknown[]) => record(`console.${method}`, ...args);
  return {
    texts,
    stop() {
      diag.disable();
      for (const name of channels) diagnosticsChannel.unsubscribe(name, onMessage);
      methods.forEach((method, i) => (console[method] = originals[i]!));
    },
  };
}

/** Answers `fault`, but puts the request's headers and body into every body it sends: a server that echoes. */
function echoing(fault: Fault, request: FaultRequest): Fault {
  const echo = JSON.stringify({ error: 'echo', authorization: request.headers.authorization, received: request.text, Errors: [{ messageId: request.body?.writeKey }] });
  switch (fault.kind) {
    case 'reply':
      return { ...fault, body: echo };
    case 'slow-body':
    case 'close-mid-response':
      return { ...fault, body: echo + ' '.repeat(400) };
    default:
      return fault;
  }
}

test('across every fault mode, and servers that echo the request, the writeKey appears in no error, stack, cause, diag line, diagnostics message or console call', { timeout: 30_000 }, async () => {
  const outputs = captureOutputs();
  const seen: unknown[] = [];
  const faults: Array<{ name: string; make: () => Fault; options?: Partial<AnalyticsOptions>; refused?: boolean }> = [
    ...RETRYABLE_FAULTS,
    ...BROKEN_2XX_FAULTS,
    ...FINAL_FAULTS,
    { name: '207 naming the writeKey as a rejected messageId', make: () => reply(207) },
    { name: '413 on every request', make: () => reply(413) },
  ];
  try {
    await Promise.all(
      faults.map(async (fault) => {
        for (const key of [KEY, PLAIN_KEY]) {
          const server = await startFaultServer(async (request) => {
            const made = fault.make();
            if (made.kind !== 'reset-before-body') await request.readBody();
            return echoing(made, request);
          });
          if (fault.refused === true) await server.stop();
          const analytics = new Analytics({ writeKey: key, host: server.url, flushAt: 2, maxRetries: 1, httpRequestTimeout: 250, ...fault.options });
          analytics.on('error', (error: MetaRouterError) => seen.push([key, fault.name, error]));
          try {
            analytics.track({ userId: 'u', event: 'Secret-bearing', properties: { note: 'the key is in the body' } });
            analytics.track({ userId: 'v', event: 'Second' });
            const outcome = await settlesWithin(analytics.closeAndFlush({ timeout: 400 }), 5000);
            if (outcome.settled === 'rejected') seen.push([key, fault.name, outcome.reason]);
          } finally {
            await server.close();
          }
        }
      }),
    );
  } finally {
    outputs.stop();
  }
  assert.ok(seen.length >= faults.length, `errors were reported (${seen.length})`);
  for (const [key, name, error] of seen as Array<[string, string, unknown]>) assertNoSecret(renderings(error), key, name);
  assertNoSecret(outputs.texts, KEY, 'diag, diagnostics_channel or console');
  assertNoSecret(outputs.texts, PLAIN_KEY, 'diag, diagnostics_channel or console');
  assert.deepEqual(
    outputs.texts.filter((text) => text.startsWith('console.')),
    [],
    'the library wrote to the console',
  );
});

test('thrown errors do not carry the writeKey: invalid options next to it, a key mistaken for the host, a host with credentials in it', () => {
  const cases: Array<[string, () => unknown]> = [
    ['flushAt invalid', () => new Analytics({ writeKey: PLAIN_KEY, host: 'http://127.0.0.1:9', flushAt: -1 })],
    ['loggerProvider invalid', () => new Analytics({ writeKey: PLAIN_KEY, host: 'http://127.0.0.1:9', loggerProvider: 5 as never })],
    ['writeKey with a newline', () => new Analytics({ writeKey: `${PLAIN_KEY}\n`, host: 'http://127.0.0.1:9' })],
    ['writeKey and host swapped', () => new Analytics({ writeKey: 'https://e.metarouter.io', host: PLAIN_KEY })],
    ['host with the key as userinfo', () => new Analytics({ writeKey: PLAIN_KEY, host: `https://${PLAIN_KEY}:@e.metarouter.io` })],
    ['host with the key in the query', () => new Analytics({ writeKey: PLAIN_KEY, host: `https://e.metarouter.io/?writeKey=${PLAIN_KEY}` })],
  ];
  const leaks: string[] = [];
  for (const [name, make] of cases) {
    try {
      make();
      leaks.push(`${name}: was accepted`);
    } catch (error) {
      assert.ok(error instanceof ConfigurationError, `${name}: a ConfigurationError`);
      if (renderings(error).some((text) => text.includes(PLAIN_KEY))) leaks.push(`${name}: ${(error as Error).message}`);
    }
  }
  assert.deepEqual(leaks, [], 'thrown errors that repeat the writeKey');
});

test('CR, LF, NUL, tab, space, DEL and other header-unsafe characters in the writeKey, host or path are refused at construction, from options and environment', () => {
  const unsafe = ['\r', '\n', '\r\n', '\u0000', '\t', ' ', '\u007f', '\u001b', '\u000b', '\u000c'];
  for (const character of unsafe) {
    const shown = JSON.stringify(character);
    const refuses = (option: string, options: AnalyticsOptions) => {
      assert.throws(
        () => new Analytics(options),
        (error: unknown) => error instanceof ConfigurationError && error.option === option,
        `${option} with ${shown}`,
      );
    };
    refuses('writeKey', { writeKey: `${PLAIN_KEY}${character}X-Injected: 1`, host: 'http://127.0.0.1:9' });
    refuses('writeKey', { writeKey: `${character}${PLAIN_KEY}`, host: 'http://127.0.0.1:9' });
    refuses('host', { writeKey: PLAIN_KEY, host: `https://e.metarouter.io${character}X-Injected: 1` });
    refuses('host', { writeKey: PLAIN_KEY, host: `https://e.meta${character}router.io` });
    refuses('path', { writeKey: PLAIN_KEY, host: 'https://e.metarouter.io', path: `/v1/batch${character}X-Injected: 1` });
    // The environment cannot hold NUL (it ends a C string), so that character is tried in options only.
    if (character === '\u0000') continue;
    process.env.METAROUTER_WRITE_KEY = `${PLAIN_KEY}${character}x`;
    process.env.METAROUTER_HOST = 'https://e.metarouter.io';
    refuses('writeKey', {});
    process.env.METAROUTER_WRITE_KEY = PLAIN_KEY;
    process.env.METAROUTER_HOST = `https://e.metarouter.io${character}x`;
    refuses('host', {});
    delete process.env.METAROUTER_WRITE_KEY;
    delete process.env.METAROUTER_HOST;
  }
});

test('a writeKey with characters outside ASCII or that JSON escapes travels intact: one Authorization header, Basic of its UTF-8, the same key in the body', async () => {
  const server = await startFaultServer();
  try {
    for (const key of [KEY, 'ключ-кей-✓', 'a:b:c']) {
      const start = server.requests.length;
      const analytics = new Analytics({ writeKey: key, host: server.url, flushAt: 1 });
      analytics.track({ userId: 'u', event: 'Key shapes' });
      await analytics.closeAndFlush({ timeout: 2000 });
      const [request] = server.requests.slice(start);
      assert.ok(request !== undefined, `${key}: sent`);
      assert.equal(request.headers.authorization, `Basic ${credential(key)}`);
      assert.equal(request.headers['x-injected'], undefined);
      assert.equal(request.body!.writeKey, key);
      assert.equal(request.body!.batch[0]!.writeKey, key);
    }
  } finally {
    await server.close();
  }
});

test('plain http:// is refused for every host that is not loopback, unless allowInsecureHttp: true (a boolean) opts in', async () => {
  const refused = [
    'http://example.com',
    'HTTP://EXAMPLE.COM',
    'http://10.0.0.1',
    'http://192.168.1.10:8080',
    'http://169.254.169.254',
    'http://0.0.0.0:9',
    'http://127.0.0.1.nip.io',
    'http://localhost.evil.example',
    'http://evil.example/127.0.0.1',
    'http://[2001:db8::1]',
  ];
  const loopback = ['http://127.0.0.1:9', 'http://127.45.6.7:9', 'http://localhost:9', 'http://LOCALHOST:9', 'http://[::1]:9', 'http://2130706433:9'];
  for (const host of refused) {
    assert.throws(() => new Analytics({ writeKey: PLAIN_KEY, host }), (error: unknown) => error instanceof ConfigurationError && error.option === 'host', host);
    assert.throws(() => new Analytics({ writeKey: PLAIN_KEY, host, allowInsecureHttp: false }), ConfigurationError, `${host}, allowInsecureHttp: false`);
    assert.throws(() => new Analytics({ writeKey: PLAIN_KEY, host, allowInsecureHttp: 'true' as never }), (error: unknown) => error instanceof ConfigurationError && error.option === 'allowInsecureHttp', `${host}, "true"`);
    process.env.METAROUTER_WRITE_KEY = PLAIN_KEY;
    process.env.METAROUTER_HOST = host;
    assert.throws(() => new Analytics(), ConfigurationError, `${host} from METAROUTER_HOST`);
    delete process.env.METAROUTER_WRITE_KEY;
    delete process.env.METAROUTER_HOST;
    await new Analytics({ writeKey: PLAIN_KEY, host, allowInsecureHttp: true }).closeAndFlush({ timeout: 100 });
    await new Analytics({ writeKey: PLAIN_KEY, host: host.replace(/^http:/i, 'https:') }).closeAndFlush({ timeout: 100 });
  }
  for (const host of loopback) await new Analytics({ writeKey: PLAIN_KEY, host }).closeAndFlush({ timeout: 100 });
});

/**
 * Runs, in a child process (so that the test's own server does not count), an `Analytics` from this
 * build that first sends a warm-up call (`status`, small body) and then a measured one, answered
 * `status` with a `bytes`-byte body. Prints the measured call's growth of RSS and of the memory
 * JavaScript can see (heap, external, array buffers), and the reported errors.
 */
const MEASURE_CHILD = `
const { Analytics } = require(process.argv[1]);
(async () => {
  const analytics = new Analytics({ writeKey: 'memory-key', host: process.argv[2], flushAt: 1, maxRetries: 1 });
  const errors = [];
  analytics.on('error', (error) => errors.push({ code: error.code, length: error.message.length }));
  analytics.track({ userId: 'u', event: 'warm' });
  await analytics.flush();
  const visible = (m) => m.heapUsed + m.external + m.arrayBuffers;
  const start = process.memoryUsage();
  let rss = start.rss;
  let seen = visible(start);
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    seen = Math.max(seen, visible(now));
  }, 2);
  analytics.track({ userId: 'u', event: 'huge' });
  await analytics.flush();
  clearInterval(timer);
  await analytics.closeAndFlush({ timeout: 1000 });
  process.stdout.write(JSON.stringify({ rss: rss - start.rss, visible: seen - visible(start), errors }));
})();
`;

test('a 50 MB response body is never read whole: the server writes a few MB at most before the client hangs up, the client grows by far less than 50 MB, and the reported detail stays short', { timeout: 30_000 }, async () => {
  const fiftyMegabytes = 50 * 1024 * 1024;
  const source = join(__dirname, '..', '..', 'src', 'index.js');
  for (const status of [400, 503, 207, 200]) {
    const firsts = new Set<string>();
    const server = await startFaultServer(async (request) => {
      await request.readBody();
      const event = String(request.body?.batch[0]?.event);
      if (firsts.has(event)) return OK;
      firsts.add(event);
      return event === 'huge' ? { kind: 'huge-body', status, bytes: fiftyMegabytes } : reply(status);
    });
    try {
      const output = await new Promise<string>((resolveOutput, rejectOutput) => {
        execFile(process.execPath, ['-e', MEASURE_CHILD, source, server.url], { timeout: 20_000 }, (error, stdout) => (error === null ? resolveOutput(stdout) : rejectOutput(error)));
      });
      const measured = JSON.parse(output) as { rss: number; visible: number; errors: Array<{ code: string; length: number }> };
      const huge = server.requests.find((request) => request.fault?.kind === 'huge-body');
      assert.ok(huge !== undefined, `${status}: the huge answer was sent`);
      assert.ok(huge.responseBytes < fiftyMegabytes / 5, `${status}: the server wrote ${huge.responseBytes} bytes before the client hung up`);
      assert.ok(measured.visible < 10 * 1024 * 1024, `${status}: heap + buffers grew by ${Math.round(measured.visible / 1024 / 1024)} MB`);
      assert.ok(measured.rss < 30 * 1024 * 1024, `${status}: RSS grew by ${Math.round(measured.rss / 1024 / 1024)} MB`);
      for (const error of measured.errors) assert.ok(error.length < 1000, `${status}: a ${error.length}-character ${error.code} message`);
    } finally {
      await server.close();
    }
  }
});

test('context.library and context.otel belong to the package: a user context holding them, a toJSON, or __proto__ cannot replace them', async () => {
  const restore = useContextManager();
  const { tracer } = tracerProvider();
  const server = await startFaultServer();
  const analytics = new Analytics({ writeKey: PLAIN_KEY, host: server.url, flushAt: 100 });
  try {
    const contexts: Array<[string, Record<string, unknown>]> = [
      ['own keys', { library: { name: 'evil', version: '6.6.6' }, otel: { traceId: 'evil' }, ip: '10.0.0.1' }],
      ['a toJSON returning them', { toJSON: () => ({ library: { name: 'evil' }, otel: { traceId: 'evil' } }) }],
      ['__proto__ holding them', JSON.parse('{"__proto__":{"library":{"name":"evil"}},"ip":"10.0.0.2"}') as Record<string, unknown>],
      ['non-enumerable library', Object.defineProperty({ ip: '10.0.0.3' }, 'library', { value: { name: 'evil' }, enumerable: false })],
    ];
    const sent: Array<[string, string, string]> = [];
    await tracer.startActiveSpan('request', async (span) => {
      for (const [name, userContext] of contexts) sent.push([name, analytics.track({ userId: 'u', event: 'Owned context', context: userContext }), span.spanContext().traceId]);
      span.end();
    });
    assert.equal(trace.getSpan(context.active()), undefined);
    await analytics.flush();
    const byId = new Map(server.requests.flatMap((request) => request.body!.batch.map((message) => [String(message.messageId), message] as const)));
    for (const [name, id, traceId] of sent) {
      const message = byId.get(id);
      assert.ok(message !== undefined, `${name}: delivered`);
      const sentContext = message.context as { library: unknown; otel: { traceId: string } };
      assert.deepEqual(sentContext.library, { ...LIBRARY }, `${name}: context.library`);
      assert.equal(sentContext.otel.traceId, traceId, `${name}: context.otel is the real span's`);
    }
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
    restore();
  }
});

test("a messageId, event or userId crafted to break out of its JSON string changes nothing else, and one call's messageId never reaches another message", async () => {
  const server = await startFaultServer();
  const analytics = new Analytics({ writeKey: PLAIN_KEY, host: server.url, flushAt: 100 });
  try {
    const breakout = '","writeKey":"stolen","type":"alias","x":"';
    const crafted = analytics.track({ userId: `u${breakout}`, event: `e${breakout}`, messageId: `m${breakout}`.slice(0, 100), properties: { messageId: 'not-the-id' }, context: { messageId: 'not-the-id-either' } });
    const plain = [analytics.track({ userId: 'u', event: 'After' }), analytics.identify({ userId: 'u' })];
    const same = [analytics.track({ userId: 'u', event: 'Chosen', messageId: 'chosen-id' }), analytics.track({ userId: 'u', event: 'Chosen again', messageId: 'chosen-id' })];
    await analytics.flush();
    const messages = server.requests.flatMap((request) => request.body!.batch);
    assert.equal(messages.length, 5);
    const [first] = messages;
    assert.deepEqual(
      [first!.type, first!.userId, first!.event, first!.messageId, first!.writeKey],
      ['track', `u${breakout}`, `e${breakout}`, crafted, PLAIN_KEY],
    );
    assert.equal(crafted, `m${breakout}`.slice(0, 100));
    assert.equal((first!.properties as Record<string, unknown>).messageId, 'not-the-id');
    for (const request of server.requests) assert.equal(request.body!.writeKey, PLAIN_KEY);
    assert.equal(new Set([crafted, ...plain]).size, 3, 'each call without a messageId gets its own');
    assert.ok(plain.every((id) => /^[0-9a-f-]{36}$/.test(id)), 'generated ids are UUIDs, not a neighbour\'s');
    assert.deepEqual(same, ['chosen-id', 'chosen-id'], "a messageId the caller chose twice is the caller's choice, kept for both");
  } finally {
    await analytics.closeAndFlush({ timeout: 1000 });
    await server.close();
  }
});
