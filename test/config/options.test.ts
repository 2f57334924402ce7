import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { Analytics, ConfigurationError, MetaRouterError, MetaRouterLogRecordExporter, ValidationError, type AnalyticsOptions } from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

const KEY = 'SECRET-KEY-123';
const ENV_NAMES = ['METAROUTER_WRITE_KEY', 'METAROUTER_HOST'] as const;

let server: IngestServer;
let other: IngestServer;
before(async () => {
  server = await startIngestServer();
  other = await startIngestServer();
});
after(async () => {
  await server.close();
  await other.close();
});

// Every test starts with both variables unset, and process.env is restored after it.
let savedEnv: Record<string, string | undefined> = {};
beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));
  for (const name of ENV_NAMES) delete process.env[name];
});
afterEach(() => {
  for (const name of ENV_NAMES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

function basic(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

type Closable = { shutdown(): Promise<void> };

/** Both public constructors that take the delivery options. */
const CONSTRUCTORS: ReadonlyArray<[string, (options: unknown) => Closable]> = [
  ['Analytics', (options) => new Analytics(options as AnalyticsOptions)],
  ['MetaRouterLogRecordExporter', (options) => new MetaRouterLogRecordExporter(options as AnalyticsOptions)],
];

/**
 * Asserts that constructing throws a ConfigurationError for `option` whose one-line message names
 * the option, what was expected (`expected` is a fragment of it) and the actual value, and never
 * holds the writeKey.
 */
async function expectConfigError(
  label: string,
  make: () => Closable,
  option: string,
  expected: RegExp,
  actual: string | undefined,
  secrets: readonly string[] = [KEY],
): Promise<void> {
  let made: Closable | undefined;
  let caught: unknown;
  try {
    made = make();
  } catch (error) {
    caught = error;
  }
  if (made !== undefined) await made.shutdown();
  assert.ok(caught !== undefined, `${label}: expected a ConfigurationError, construction succeeded`);
  assert.ok(caught instanceof ConfigurationError, `${label}: expected a ConfigurationError, got ${String(caught)}`);
  assert.ok(caught instanceof MetaRouterError, `${label}: a ConfigurationError is a MetaRouterError`);
  assert.equal(caught.code, 'MR_ERR_INVALID_OPTION', `${label}: code`);
  assert.equal(caught.option, option, `${label}: .option`);
  const { message } = caught;
  assert.ok(message.includes(option), `${label}: message names the option: ${message}`);
  assert.match(message, /expected/, `${label}: message says what was expected: ${message}`);
  assert.match(message, expected, `${label}: message names the expected value: ${message}`);
  if (actual !== undefined) assert.ok(message.includes(actual), `${label}: message names the actual value ${actual}: ${message}`);
  assert.doesNotMatch(message, /[\r\n]/, `${label}: message is one line (no raw control characters echoed)`);
  for (const secret of secrets) {
    assert.ok(!message.includes(secret), `${label}: the writeKey is not in the message: ${message}`);
    assert.ok(!String(caught.stack).includes(secret), `${label}: the writeKey is not in the stack`);
    assert.ok(!JSON.stringify(caught).includes(secret), `${label}: the writeKey is not in the JSON of the error`);
  }
}

const INTEGER_OPTIONS: ReadonlyArray<[string, number]> = [
  ['flushAt', 1],
  ['flushInterval', 1],
  ['maxQueueSize', 1],
  ['maxRetries', 0],
  ['httpRequestTimeout', 1],
  ['maxConcurrentRequests', 1],
];

test('integer options refuse non-integers, negatives, values under their minimum, NaN, Infinity and strings', async () => {
  for (const [name, make] of CONSTRUCTORS) {
    for (const [option, min] of INTEGER_OPTIONS) {
      const bad: Array<[unknown, string]> = [
        [1.5, '1.5'],
        [-1, '-1'],
        [Number.NaN, 'NaN'],
        [Number.POSITIVE_INFINITY, 'Infinity'],
        ['10', '"10"'],
        [true, 'true'],
      ];
      if (min === 1) bad.push([0, '0']);
      for (const [value, actual] of bad) {
        await expectConfigError(`${name} ${option}=${actual}`, () => make({ writeKey: KEY, host: server.url, [option]: value }), option, /integer/, actual);
      }
    }
  }
});

test('maxRetries 0 is allowed, and a batch that fails with it is not retried', async () => {
  const failing = await startIngestServer(() => ({ status: 503 }));
  try {
    const analytics = new Analytics({ writeKey: KEY, host: failing.url, maxRetries: 0 });
    const codes: string[] = [];
    analytics.on('error', (error) => codes.push(error.code));
    analytics.track({ userId: 'u', event: 'Once' });
    await analytics.closeAndFlush();
    assert.equal(failing.requests.length, 1, 'one attempt, no retry');
    assert.deepEqual(codes, ['MR_ERR_RETRIES_EXHAUSTED']);
    const exporter = new MetaRouterLogRecordExporter({ writeKey: KEY, host: failing.url, maxRetries: 0 });
    await exporter.shutdown();
  } finally {
    await failing.close();
  }
});

test('compression, disable and spanEvents refuse values of the wrong kind', async () => {
  for (const [name, make] of CONSTRUCTORS) {
    await expectConfigError(`${name} compression`, () => make({ writeKey: KEY, host: server.url, compression: 'brotli' }), 'compression', /gzip/, '"brotli"');
    await expectConfigError(`${name} disable`, () => make({ writeKey: KEY, host: server.url, disable: 'yes' }), 'disable', /boolean/, '"yes"');
    await expectConfigError(`${name} disable=1`, () => make({ writeKey: KEY, host: server.url, disable: 1 }), 'disable', /boolean/, '1');
  }
  await expectConfigError('Analytics spanEvents', () => new Analytics({ writeKey: KEY, host: server.url, spanEvents: 1 as never }), 'spanEvents', /boolean/, '1');
  await expectConfigError('Analytics spanEvents', () => new Analytics({ writeKey: KEY, host: server.url, spanEvents: 'false' as never }), 'spanEvents', /boolean/, '"false"');
});

// A host that is not a URL is described by its shape only: it may be a secret given in the wrong option.
test('host must be an absolute http(s) URL without spaces or control characters', async () => {
  const bad: Array<[string, string]> = [
    ['ftp://x', '"ftp://x"'],
    ['not a url', 'a string of 9 characters'],
    ['http://a\nb', 'a string of 10 characters'],
    ['http://a\r\nb', 'a string of 11 characters'],
    ['http://a b', 'a string of 10 characters'],
    ['http://a\tb', 'a string of 10 characters'],
    ['/v1/batch', 'a string of 9 characters'],
    ['', 'a string of 0 characters'],
  ];
  for (const [name, make] of CONSTRUCTORS) {
    for (const [host, actual] of bad) {
      await expectConfigError(`${name} host=${actual}`, () => make({ writeKey: KEY, host }), 'host', /http/, actual);
    }
    await expectConfigError(`${name} host=42`, () => make({ writeKey: KEY, host: 42 }), 'host', /http/, '42');
    await expectConfigError(`${name} path`, () => make({ writeKey: KEY, host: server.url, path: 'v1/batch' }), 'path', /"\/"/, '"v1/batch"');
  }
});

test('missing writeKey or host (environment unset) throws naming the option and its environment variable', async () => {
  for (const [name, make] of CONSTRUCTORS) {
    await expectConfigError(`${name} no writeKey`, () => make({ host: server.url }), 'writeKey', /METAROUTER_WRITE_KEY/, 'undefined');
    await expectConfigError(`${name} no host`, () => make({ writeKey: KEY }), 'host', /METAROUTER_HOST/, 'undefined');
    await expectConfigError(`${name} no options`, () => make({}), 'writeKey', /METAROUTER_WRITE_KEY/, 'undefined');
    await expectConfigError(`${name} writeKey ''`, () => make({ writeKey: '', host: server.url }), 'writeKey', /string/, undefined);
  }
  await expectConfigError('MetaRouterLogRecordExporter()', () => new MetaRouterLogRecordExporter(), 'writeKey', /METAROUTER_WRITE_KEY/, 'undefined');
  await expectConfigError('Analytics(null)', () => new Analytics(null as never), 'options', /object/, 'null');
  await expectConfigError("Analytics('key')", () => new Analytics('abc' as never), 'options', /object/, undefined);
  await expectConfigError('Analytics loggerProvider {}', () => new Analytics({ writeKey: KEY, host: server.url, loggerProvider: {} as never }), 'loggerProvider', /LoggerProvider/, 'object');
});

test('new Analytics() with no options object at all throws a ConfigurationError (not a TypeError) when the environment is unset', async () => {
  await expectConfigError('Analytics()', () => new Analytics(undefined as never), 'writeKey', /METAROUTER_WRITE_KEY/, 'undefined');
});

test('new Analytics() with no options object at all reads the environment, as new MetaRouterLogRecordExporter() does', async () => {
  process.env.METAROUTER_WRITE_KEY = 'env-key';
  process.env.METAROUTER_HOST = server.url;
  const start = server.requests.length;
  // A JavaScript caller relying on the environment; the exporter's constructor takes no options the same way.
  const analytics = new (Analytics as unknown as new () => Analytics)();
  const id = analytics.track({ userId: 'u', event: 'No Options Object' });
  await analytics.closeAndFlush();
  const requests = server.requests.slice(start);
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.headers.authorization, basic('env-key'));
  assert.deepEqual(requests[0]!.messageIds, [id]);
});

test('a writeKey with CR, LF or a space is refused, and the key never appears in the error', async () => {
  for (const [name, make] of CONSTRUCTORS) {
    for (const writeKey of [`${KEY}\n`, `${KEY}\r`, `${KEY}\r\n`, `${KEY} x`, `\n${KEY}`]) {
      await expectConfigError(`${name} writeKey ${JSON.stringify(writeKey)}`, () => make({ writeKey, host: server.url }), 'writeKey', /control characters/, undefined, [KEY, writeKey]);
    }
  }
});

test('a writeKey of the wrong type is refused without echoing its value', async () => {
  for (const [name, make] of CONSTRUCTORS) {
    await expectConfigError(`${name} numeric writeKey`, () => make({ writeKey: 987654321, host: server.url }), 'writeKey', /string/, undefined, ['987654321']);
  }
});

test('an invalid METAROUTER_WRITE_KEY (with a newline) is refused without echoing it', async () => {
  process.env.METAROUTER_WRITE_KEY = `${KEY}\n`;
  process.env.METAROUTER_HOST = server.url;
  for (const [name, make] of CONSTRUCTORS) {
    await expectConfigError(`${name} env writeKey`, () => make({}), 'writeKey', /METAROUTER_WRITE_KEY/, undefined);
  }
});

test('METAROUTER_WRITE_KEY and METAROUTER_HOST are used when the options are omitted', async () => {
  process.env.METAROUTER_WRITE_KEY = 'env-key';
  process.env.METAROUTER_HOST = server.url;
  const start = server.requests.length;
  const analytics = new Analytics({});
  const id = analytics.track({ userId: 'u', event: 'From Env' });
  await analytics.closeAndFlush();
  const requests = server.requests.slice(start);
  assert.equal(requests.length, 1, 'delivered to the host from the environment');
  assert.equal(requests[0]!.headers.authorization, basic('env-key'));
  assert.equal(requests[0]!.body.writeKey, 'env-key');
  assert.deepEqual(requests[0]!.messageIds, [id]);
});

test('MetaRouterLogRecordExporter() with no options reads the environment too', async () => {
  process.env.METAROUTER_WRITE_KEY = 'env-exporter-key';
  process.env.METAROUTER_HOST = server.url;
  const start = server.requests.length;
  const exporter = new MetaRouterLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const analytics = new Analytics({ loggerProvider: provider });
  const id = analytics.identify({ userId: 'u' });
  await analytics.closeAndFlush();
  await provider.shutdown();
  const requests = server.requests.slice(start);
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.headers.authorization, basic('env-exporter-key'));
  assert.deepEqual(requests[0]!.messageIds, [id]);
});

test('a blank environment variable counts as unset', async () => {
  for (const blank of ['', '   ', '\t']) {
    process.env.METAROUTER_WRITE_KEY = blank;
    process.env.METAROUTER_HOST = server.url;
    for (const [name, make] of CONSTRUCTORS) {
      await expectConfigError(`${name} blank env writeKey ${JSON.stringify(blank)}`, () => make({}), 'writeKey', /METAROUTER_WRITE_KEY/, 'undefined');
    }
    process.env.METAROUTER_WRITE_KEY = 'env-key';
    process.env.METAROUTER_HOST = blank;
    for (const [name, make] of CONSTRUCTORS) {
      await expectConfigError(`${name} blank env host ${JSON.stringify(blank)}`, () => make({}), 'host', /METAROUTER_HOST/, 'undefined');
    }
  }
});

test('a value given in the options wins over the environment', async () => {
  process.env.METAROUTER_WRITE_KEY = 'env-key';
  process.env.METAROUTER_HOST = other.url;
  const start = server.requests.length;
  const otherStart = other.requests.length;

  const both = new Analytics({ writeKey: 'user-key', host: server.url });
  both.track({ userId: 'u', event: 'User Wins' });
  await both.closeAndFlush();
  const onlyKey = new Analytics({ writeKey: 'user-key-2' });
  onlyKey.track({ userId: 'u', event: 'Key From User, Host From Env' });
  await onlyKey.closeAndFlush();

  const requests = server.requests.slice(start);
  assert.equal(requests.length, 1, 'the user host got the first instance');
  assert.equal(requests[0]!.headers.authorization, basic('user-key'));
  assert.equal(requests[0]!.body.writeKey, 'user-key');
  const envRequests = other.requests.slice(otherStart);
  assert.equal(envRequests.length, 1, 'the environment host got only the second instance');
  assert.equal(envRequests[0]!.headers.authorization, basic('user-key-2'));
  assert.equal(envRequests[0]!.body.batch[0]!.event, 'Key From User, Host From Env');
});

test('disable: true validates every call (invalid calls still throw) but sends nothing', async () => {
  const quiet = await startIngestServer();
  try {
    const analytics = new Analytics({ writeKey: KEY, host: quiet.url, disable: true, flushAt: 1 });
    const reported: unknown[] = [];
    analytics.on('error', (error) => reported.push(error));
    const ids = [
      analytics.identify({ userId: 'u' }),
      analytics.track({ userId: 'u', event: 'E' }),
      analytics.page({ userId: 'u' }),
      analytics.screen({ userId: 'u' }),
      analytics.group({ userId: 'u', groupId: 'g' }),
      analytics.alias({ previousId: 'p', userId: 'u' }),
    ];
    for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/, 'a disabled call still returns its messageId');
    assert.throws(() => analytics.track({ userId: 'u' } as never), (error: unknown) => error instanceof ValidationError && error.code === 'MR_ERR_MISSING_FIELD');
    assert.throws(() => analytics.track({ userId: 'u', event: 'E', properties: [] as never }), (error: unknown) => error instanceof ValidationError && error.code === 'MR_ERR_INVALID_FIELD');
    await analytics.flush();
    await analytics.closeAndFlush();

    const exporter = new MetaRouterLogRecordExporter({ writeKey: KEY, host: quiet.url, disable: true, flushAt: 1 });
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const viaPipeline = new Analytics({ loggerProvider: provider, writeKey: KEY, host: quiet.url });
    viaPipeline.track({ userId: 'u', event: 'Through A Disabled Exporter' });
    await viaPipeline.closeAndFlush();
    await provider.shutdown();

    assert.equal(quiet.requests.length, 0, 'the server received no request');
    assert.deepEqual(reported, []);
  } finally {
    await quiet.close();
  }
});

test('closeAndFlush refuses an invalid timeout with a ConfigurationError, and still closes afterwards', async () => {
  const analytics = new Analytics({ writeKey: KEY, host: server.url });
  await assert.rejects(analytics.closeAndFlush({ timeout: -1 }), (error: unknown) => error instanceof ConfigurationError && error.option === 'timeout' && /-1/.test(error.message));
  await assert.rejects(analytics.closeAndFlush({ timeout: 1.5 }), (error: unknown) => error instanceof ConfigurationError && error.option === 'timeout');
  await analytics.closeAndFlush();
});
