import assert from 'node:assert/strict';
import { Analytics, ERROR_CODES, ValidationError, type AnalyticsOptions, type EventType } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.js';
import { describeThrown, watchProcess, type ProcessWatch } from './watch-process.js';

export const TYPES: readonly EventType[] = ['identify', 'track', 'page', 'screen', 'group', 'alias'];
export const SEGMENT_FIELDS = ['userId', 'anonymousId', 'event', 'name', 'category', 'groupId', 'previousId', 'properties', 'traits', 'integrations'] as const;
const ID_FIELDS: ReadonlySet<string> = new Set(['userId', 'anonymousId', 'groupId', 'previousId']);
export const OBJECT_FIELDS: ReadonlySet<string> = new Set(['properties', 'traits', 'context', 'integrations']);
/** Every key a call reads, and one it must ignore. */
export const ALL_KEYS = [...SEGMENT_FIELDS, 'context', 'timestamp', 'messageId', 'unknownKey'] as const;
export type CallKey = (typeof ALL_KEYS)[number];
const VALIDATION_CODES: ReadonlySet<string> = new Set(['MR_ERR_INVALID_FIELD', 'MR_ERR_MISSING_IDENTITY', 'MR_ERR_MISSING_FIELD', 'MR_ERR_NOT_SERIALIZABLE', 'MR_ERR_MESSAGE_TOO_LARGE']);
const ISO = /^[+-]?\d{4,6}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const KEY = 'call-contract-key';

export type Params = Record<string, unknown>;
export type Outcome = { id: string } | { thrown: unknown };
export type Message = Record<string, unknown>;

/** `value` as JSON would represent it (undefined when JSON would drop it). */
export function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** The call failed as the contract allows: a ValidationError with a validation code and a field. */
export function assertRefusedProperly(thrown: unknown, label: string): void {
  assert.ok(thrown instanceof ValidationError, `${label}: threw something other than a ValidationError: ${describeThrown(thrown)}`);
  assert.ok(thrown.code in ERROR_CODES && VALIDATION_CODES.has(thrown.code), `${label}: code ${thrown.code}`);
  assert.equal(typeof thrown.field, 'string', `${label}: names a field`);
}

/**
 * An `Analytics` sending to a fault server that accepts everything, with what the contract of a
 * call needs: make a call, flush with a guard, find the message by messageId, compare it with
 * the call's data as JSON represents it, and check the process and Object.prototype stayed intact.
 */
export class CallContract {
  /** Messages the server received, by messageId. */
  readonly delivered = new Map<string, Message>();
  private scanned = 0;

  private constructor(
    readonly server: FaultServer,
    readonly analytics: Analytics,
    private readonly watch: ProcessWatch,
    private readonly prototypeKeys: string[],
    private readonly savedEnv: Record<string, string | undefined>,
  ) {}

  static async start(options: Partial<AnalyticsOptions> = {}): Promise<CallContract> {
    const savedEnv = { METAROUTER_WRITE_KEY: process.env.METAROUTER_WRITE_KEY, METAROUTER_HOST: process.env.METAROUTER_HOST };
    delete process.env.METAROUTER_WRITE_KEY;
    delete process.env.METAROUTER_HOST;
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const watch = watchProcess();
    const server = await startFaultServer();
    const analytics = new Analytics({ writeKey: KEY, host: server.url, flushAt: 500, flushInterval: 60_000, maxQueueSize: 100_000, ...options });
    analytics.on('error', () => {});
    return new CallContract(server, analytics, watch, prototypeKeys, savedEnv);
  }

  async stop(): Promise<void> {
    await this.analytics.closeAndFlush({ timeout: 2000 });
    await this.server.close();
    await this.watch.stop();
    for (const [name, value] of Object.entries(this.savedEnv)) if (value !== undefined) process.env[name] = value;
  }

  call(type: EventType, params: unknown): Outcome {
    try {
      return { id: (this.analytics[type] as (params: unknown) => string).call(this.analytics, params) };
    } catch (thrown) {
      return { thrown };
    }
  }

  /** Flushes (a hang fails after 5 s) and indexes what the server received; every body must be JSON. */
  async flushAndIndex(label: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), 5000)));
    const outcome = await Promise.race([this.analytics.flush().then(() => 'flushed' as const), hung]);
    clearTimeout(timer);
    assert.equal(outcome, 'flushed', `${label}: flush() hung`);
    while (this.scanned < this.server.requests.length) {
      const request = this.server.requests[this.scanned++]!;
      assert.equal(request.parseError, undefined, `${label}: the server received a body that is not JSON: ${request.parseError}; ${request.text?.slice(0, 300)}`);
      for (const message of request.body!.batch) this.delivered.set(String(message.messageId), message);
    }
  }

  /** Runs one call through the contract: refused properly, or delivered as JSON represents it. */
  async check(type: EventType, params: Params, label: string): Promise<void> {
    const outcome = this.call(type, params);
    if ('thrown' in outcome) return assertRefusedProperly(outcome.thrown, label);
    await this.flushAndIndex(label);
    this.assertDeliveredAsPassed(type, params, outcome.id, label);
  }

  /**
   * The message the server got for an accepted call equals the call's data as JSON represents it:
   * the Segment fields (numeric ids as strings), context under our library, timestamp, messageId.
   */
  assertDeliveredAsPassed(type: EventType, params: Params, id: string, label: string): void {
    const message = this.delivered.get(id);
    assert.ok(message !== undefined, `${label}: accepted (messageId ${id}) but never delivered`);
    const picked: Record<string, unknown> = {};
    let expectedContext: Record<string, unknown>;
    try {
      for (const key of SEGMENT_FIELDS) {
        const value = params[key];
        if (value !== undefined) picked[key] = ID_FIELDS.has(key) && typeof value === 'number' ? String(value) : value;
      }
      const context = params.context === undefined ? {} : asJson(params.context);
      assert.ok(typeof context === 'object' && context !== null && !Array.isArray(context), `${label}: accepted a context that JSON represents as ${JSON.stringify(context)}`);
      expectedContext = context as Record<string, unknown>;
      delete expectedContext.library;
      delete expectedContext.otel;
    } catch (error) {
      if (error instanceof assert.AssertionError) throw error;
      assert.fail(`${label}: accepted, yet its data cannot be represented in JSON: ${describeThrown(error)}`);
    }
    const { type: sentType, messageId, timestamp, context, writeKey, ...fields } = message;
    assert.equal(sentType, type, `${label}: type`);
    assert.equal(messageId, id, `${label}: the returned messageId is the one sent`);
    if (params.messageId !== undefined) assert.equal(messageId, params.messageId, `${label}: the user's messageId is kept`);
    assert.equal(writeKey, KEY);
    assert.deepEqual(fields, asJson(picked), `${label}: the Segment fields as JSON represents them`);
    for (const key of OBJECT_FIELDS) {
      if (key in fields) assert.ok(typeof fields[key] === 'object' && fields[key] !== null && !Array.isArray(fields[key]), `${label}: ${key} arrived as a JSON object`);
    }
    const { library, otel, ...userContext } = context as Record<string, unknown>;
    assert.deepEqual(library, { ...LIBRARY }, `${label}: context.library is the package's`);
    assert.equal(otel, undefined, `${label}: no span, no context.otel`);
    assert.deepEqual(userContext, expectedContext, `${label}: the user's context as JSON represents it`);
    assert.match(String(timestamp), ISO, `${label}: timestamp`);
    if (params.timestamp !== undefined) {
      const millis = params.timestamp instanceof Date ? params.timestamp.getTime() : Date.parse(String(params.timestamp));
      assert.equal(timestamp, new Date(millis).toISOString(), `${label}: the user's timestamp, in UTC`);
    }
  }

  /** Checks what no input may ever do to the process or to Object.prototype. */
  assertProcessUnharmed(label: string): void {
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), this.prototypeKeys, `${label}: Object.prototype gained keys`);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, `${label}: prototype pollution`);
    assert.deepEqual(this.watch.unhandled.map(describeThrown), [], `${label}: unhandled rejections`);
    assert.deepEqual(this.watch.uncaught.map(describeThrown), [], `${label}: uncaught exceptions`);
    assert.deepEqual(
      this.watch.warnings.map((warning) => `${warning.name}: ${warning.message}`),
      [],
      `${label}: process warnings`,
    );
  }
}
