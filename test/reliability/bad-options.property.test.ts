import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import fc from 'fast-check';
import { Analytics, ConfigurationError, DeliveryError, ValidationError, type AnalyticsOptions, type MetaRouterError } from '../../src/index.js';
import { reply, refusedUrl, startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { settlesWithin } from './faults.js';
import { describeThrown, watchProcess, type ProcessWatch } from './watch-process.js';

/** Fixed seeds: a failure names its seed and replays the same way. */
const SEEDS = Object.freeze({ numbers: 90_210, texts: 1_729, timeouts: 6_174, objects: 8_128 });
const KEY = 'options-property-key';
const NUMERIC = ['flushAt', 'flushInterval', 'maxQueueSize', 'maxRetries', 'maxRetryDuration', 'httpRequestTimeout', 'maxConcurrentRequests'] as const;
const OTHER = ['writeKey', 'host', 'path', 'compression', 'allowInsecureHttp', 'disable', 'spanEvents', 'loggerProvider', 'dispatcher'] as const;
/** A close deadline long enough for a loopback server that answers at once, short enough for a test. */
const CLOSE_MILLIS = 300;

let server: FaultServer;
let slow: FaultServer;
let refused: string;
let watch: ProcessWatch;
const savedEnv = { writeKey: process.env.METAROUTER_WRITE_KEY, host: process.env.METAROUTER_HOST };

before(async () => {
  delete process.env.METAROUTER_WRITE_KEY;
  delete process.env.METAROUTER_HOST;
  watch = watchProcess();
  server = await startFaultServer();
  // Answers after 50 ms: a close with a long deadline must wait for it.
  slow = await startFaultServer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return reply(200);
  });
  refused = await refusedUrl();
});

/** Forgets what the process saw so far: each test, and each property run, judges only its own. */
function resetWatch(): void {
  watch.warnings.length = 0;
  watch.unhandled.length = 0;
  watch.uncaught.length = 0;
}
beforeEach(resetWatch);

after(async () => {
  await server.close();
  await slow.close();
  await watch.stop();
  if (savedEnv.writeKey !== undefined) process.env.METAROUTER_WRITE_KEY = savedEnv.writeKey;
  if (savedEnv.host !== undefined) process.env.METAROUTER_HOST = savedEnv.host;
});

/** A value for an assertion message, whatever it is. */
function show(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function assertNothingEscaped(label: string): void {
  assert.deepEqual(watch.unhandled.map(describeThrown), [], `${label}: unhandled rejections`);
  assert.deepEqual(watch.uncaught.map(describeThrown), [], `${label}: uncaught exceptions`);
  assert.deepEqual(
    watch.warnings.map((warning) => `${warning.name}: ${warning.message}`),
    [],
    `${label}: process warnings (Node would print them)`,
  );
}

/** Builds an Analytics or returns how the constructor refused; anything but a ConfigurationError fails. */
function construct(options: unknown, label: string, known: readonly string[]): Analytics | undefined {
  try {
    return new Analytics(options as AnalyticsOptions);
  } catch (thrown) {
    assert.ok(thrown instanceof ConfigurationError, `${label}: the constructor threw something other than a ConfigurationError: ${describeThrown(thrown)}`);
    assert.equal(thrown.code, 'MR_ERR_INVALID_OPTION');
    assert.ok(known.includes(thrown.option), `${label}: names option ${thrown.option}`);
    return undefined;
  }
}

/**
 * Sends one call through an instance that accepted its options and closes it: the call returns a
 * messageId, closeAndFlush resolves, and the message is delivered or reported — never lost silently.
 */
async function exercise(analytics: Analytics, target: FaultServer | undefined, label: string, disabled = false): Promise<void> {
  const reported: MetaRouterError[] = [];
  analytics.on('error', (error) => reported.push(error));
  let id: string | undefined;
  if (target !== undefined) {
    try {
      id = analytics.track({ userId: 'u', event: 'Configured' });
    } catch (thrown) {
      assert.ok(thrown instanceof ValidationError, `${label}: the call threw ${describeThrown(thrown)}`);
    }
  }
  const closed = await settlesWithin(analytics.closeAndFlush({ timeout: CLOSE_MILLIS }), 5000);
  assert.equal(closed.settled, 'resolved', `${label}: closeAndFlush ${closed.settled}`);
  if (id !== undefined && target !== undefined) {
    const ingested = target.ingestedIds().includes(id);
    const dropped = reported.some((error) => error instanceof DeliveryError && error.messageIds.includes(id));
    assert.ok(ingested || dropped || disabled, `${label}: message ${id} neither delivered nor reported`);
  }
}

const hugeIntegers = fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER);
const numberish = fc.oneof(
  fc.integer({ min: -3, max: 50 }),
  fc.integer({ min: 0, max: 2 ** 33 }),
  hugeIntegers,
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1.5, '100', null, true),
  fc.double(),
);

test(`an options object whose getters throw, or a Proxy: a ConfigurationError, never the raw exception [seed ${SEEDS.objects}]`, async () => {
  const arbitrary = fc.tuple(fc.constantFrom(...NUMERIC, ...OTHER), fc.constantFrom('getter', 'proxy', 'prototype getter'));
  await fc.assert(
    fc.property(arbitrary, ([name, how]) => {
      const label = `seed ${SEEDS.objects}, ${how} on ${name}`;
      const boom = () => {
        throw new Error(`${how} of ${name} exploded`);
      };
      const base: Record<string, unknown> = { writeKey: KEY, host: server.url };
      let options: unknown;
      if (how === 'getter') options = Object.defineProperty({ ...base }, name, { enumerable: true, get: boom });
      else if (how === 'proxy') options = new Proxy(base, { get: (target, property) => (property === name ? boom() : target[property as string]) });
      else options = Object.defineProperties(Object.create(Object.defineProperty({}, name, { get: boom })) as object, Object.getOwnPropertyDescriptors(base));
      const analytics = construct(options, label, [...NUMERIC, ...OTHER, 'options']);
      if (analytics !== undefined) void analytics.closeAndFlush({ timeout: 0 });
    }),
    { seed: SEEDS.objects, numRuns: 48, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
});

test('a loggerProvider whose getLogger returns no logger, throws, or gives a logger whose emit throws: refused at construction, or calls that still only throw ValidationErrors', () => {
  const providers: Array<[string, unknown]> = [
    ['getLogger returns 5', { getLogger: () => 5 }],
    ['getLogger returns {}', { getLogger: () => ({}) }],
    [
      'getLogger throws',
      {
        getLogger() {
          throw new Error('no logger');
        },
      },
    ],
    [
      'emit throws',
      {
        getLogger: () => ({
          emit() {
            throw new Error('emit failed');
          },
        }),
      },
    ],
  ];
  const failures: string[] = [];
  for (const [label, loggerProvider] of providers) {
    let analytics: Analytics | undefined;
    try {
      analytics = new Analytics({ writeKey: KEY, host: server.url, loggerProvider: loggerProvider as never });
    } catch (thrown) {
      if (!(thrown instanceof ConfigurationError)) failures.push(`${label}: the constructor threw ${describeThrown(thrown)}`);
      continue;
    }
    try {
      analytics.track({ userId: 'u', event: 'Through a broken provider' });
    } catch (thrown) {
      if (!(thrown instanceof ValidationError)) failures.push(`${label}: track() threw ${describeThrown(thrown).split('\n')[0]}`);
    }
  }
  assert.deepEqual(failures, []);
});

test(`writeKey, host, path, compression, the booleans, loggerProvider and dispatcher at any value: a ConfigurationError or a working instance [seed ${SEEDS.texts}]`, async () => {
  const unit = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('\r', '\n', '\t', ' ', '\u0000', '\u007f', '\u0085', '\u2028', ':', '@'));
  const text = fc.string({ unit, maxLength: 30 });
  const anything = fc.anything({ maxDepth: 2, withBigInt: true, withMap: true, withDate: true, withNullPrototype: true, withBoxedValues: true });
  const hostChoice = fc.oneof(
    fc.constantFrom('local', 'refused', 'localhost', 'ipv6', 'remote-http', 'remote-https'),
    text.map((value) => `text:${value}`),
    anything.map((value) => ({ value })),
  );
  const arbitrary = fc.record(
    {
      writeKey: fc.oneof(text, fc.constant(KEY), text.map((value) => `${KEY}${value}`), anything),
      host: hostChoice,
      path: fc.oneof(fc.constant('/v1/batch'), text.map((value) => `/${value}`), text, anything),
      compression: fc.oneof(fc.constantFrom('none', 'gzip', 'GZIP', 'br'), anything),
      allowInsecureHttp: fc.oneof(fc.boolean(), anything),
      disable: fc.oneof(fc.boolean(), anything),
      spanEvents: fc.oneof(fc.boolean(), anything),
      loggerProvider: anything,
      dispatcher: anything,
    },
    { requiredKeys: ['host'] },
  );
  await fc.assert(
    fc.asyncProperty(arbitrary, async ({ host, ...rest }) => {
      const resolved =
        typeof host === 'object'
          ? host.value
          : host === 'local'
            ? server.url
            : host === 'refused'
              ? refused
              : host === 'localhost'
                ? server.url.replace('127.0.0.1', 'localhost')
                : host === 'ipv6'
                  ? 'http://[::1]:9'
                  : host === 'remote-http'
                    ? 'http://analytics.example.com'
                    : host === 'remote-https'
                      ? 'https://analytics.example.com'
                      : host.slice('text:'.length);
      resetWatch();
      const label = `seed ${SEEDS.texts}, host ${show(resolved)}`;
      const analytics = construct({ ...rest, host: resolved }, label, OTHER);
      // Only the loopback fault server is ever sent to: no request leaves this machine.
      if (analytics !== undefined) await exercise(analytics, host === 'local' || host === 'localhost' ? server : undefined, label, rest.disable === true);
      assertNothingEscaped(label);
    }),
    { seed: SEEDS.texts, numRuns: 150, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
});

test(`closeAndFlush({ timeout }) at any value: rejects with a ConfigurationError, or waits for a 50 ms answer when the deadline is longer [seed ${SEEDS.timeouts}]`, async () => {
  const timeout = fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }), hugeIntegers, fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 1.5, '100', null, undefined), fc.double());
  await fc.assert(
    fc.asyncProperty(timeout, async (value) => {
      resetWatch();
      const label = `seed ${SEEDS.timeouts}, timeout ${show(value)}`;
      const analytics = new Analytics({ writeKey: KEY, host: slow.url, flushAt: 1 });
      const reported: MetaRouterError[] = [];
      analytics.on('error', (error) => reported.push(error));
      const id = analytics.track({ userId: 'u', event: 'Closing' });
      const closing = settlesWithin(analytics.closeAndFlush({ timeout: value as number }), 5000);
      const outcome = await closing;
      if (outcome.settled === 'rejected') {
        assert.ok(outcome.reason instanceof ConfigurationError && outcome.reason.option === 'timeout', `${label}: rejected with ${describeThrown(outcome.reason)}`);
        await analytics.closeAndFlush({ timeout: 1000 });
      } else {
        assert.equal(outcome.settled, 'resolved', `${label}: closeAndFlush hung`);
        const effective = value == null ? 30_000 : (value as number);
        if (effective >= 2000) {
          assert.deepEqual(reported.map((error) => error.code), [], `${label}: a ${effective} ms deadline gave up on a 50 ms answer`);
          assert.ok(slow.ingestedIds().includes(id), `${label}: delivered`);
        }
      }
      assertNothingEscaped(label);
    }),
    { seed: SEEDS.timeouts, numRuns: 40, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
});

test(`numeric options (flushAt, flushInterval, maxQueueSize, maxRetries, maxRetryDuration, httpRequestTimeout, maxConcurrentRequests) at any value: a ConfigurationError, or an instance that works and warns nothing [seed ${SEEDS.numbers}]`, async () => {
  const options = fc.record(Object.fromEntries(NUMERIC.map((name) => [name, numberish])), { requiredKeys: [] });
  await fc.assert(
    fc.asyncProperty(options, async (numbers) => {
      resetWatch();
      const label = `seed ${SEEDS.numbers}, options ${JSON.stringify(numbers)}`;
      const analytics = construct({ writeKey: KEY, host: server.url, ...numbers }, label, NUMERIC);
      if (analytics !== undefined) await exercise(analytics, server, label);
      assertNothingEscaped(label);
    }),
    { seed: SEEDS.numbers, numRuns: 80, includeErrorInReport: true, interruptAfterTimeLimit: 4000 },
  );
});
