import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  Analytics,
  ConfigurationError,
  MetaRouterLogRecordExporter,
  MetaRouterSpanExporter,
  PlanViolationError,
  startBridge,
  ValidationError,
  type MetaRouterError,
  type PlanEnforcementOptions,
  type SegmentRulesPlan,
} from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';
import { jsonAttributes, jsonLogsRequest, post, startBridgePipeline } from '../helpers/otlp-bridge.js';
import { tracerProvider } from '../helpers/otel.js';

const PLAN: SegmentRulesPlan = {
  id: 'tp_entry',
  version: 2,
  rules: [
    {
      key: 'Signed Up',
      type: 'TRACK',
      version: 1,
      jsonSchema: {
        type: 'object',
        properties: { properties: { type: 'object', properties: { plan: { type: 'string' }, seats: { type: 'integer' } }, required: ['plan'] } },
        required: ['properties'],
      },
    },
  ],
};

type Properties = Record<string, string | number>;

/** One entry point under a plan, fed track events the way its users feed it. */
interface EntryPoint {
  /** Throws only where the entry point has a caller (the facade). */
  send(messageId: string, event: string, properties: Properties): void;
  /** Delivers everything, then says what became of it. */
  finish(): Promise<{ accepted: Record<string, unknown>[]; errors: MetaRouterError[]; filtered: number; rejectedInAnswer: number | undefined }>;
}

type Maker = (server: IngestServer, planEnforcement: PlanEnforcementOptions) => Promise<EntryPoint>;

const flat = (properties: Properties) => Object.fromEntries(Object.entries(properties).map(([key, value]) => [`analytics.properties.${key}`, value]));

const ENTRY_POINTS: ReadonlyArray<[string, Maker]> = [
  [
    'Analytics',
    async (server, planEnforcement) => {
      const analytics = new Analytics({ writeKey: 'k', host: server.url, flushInterval: 5, trackingPlan: PLAN, planEnforcement });
      const errors: MetaRouterError[] = [];
      analytics.on('error', (error) => errors.push(error));
      return {
        send: (messageId, event, properties) => void analytics.track({ userId: 'u-1', event, properties, messageId }),
        async finish() {
          await analytics.closeAndFlush();
          return { accepted: server.accepted, errors, filtered: analytics.counters!.filtered, rejectedInAnswer: undefined };
        },
      };
    },
  ],
  [
    'MetaRouterLogRecordExporter in a LoggerProvider',
    async (server, planEnforcement) => {
      const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url, trackingPlan: PLAN, planEnforcement });
      const errors: MetaRouterError[] = [];
      exporter.on('error', (error) => errors.push(error));
      const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
      const logger = provider.getLogger('app');
      return {
        send: (messageId, event, properties) => logger.emit({ eventName: 'analytics.track', body: { userId: 'u-1', event, messageId, properties } }),
        async finish() {
          await provider.shutdown();
          return { accepted: server.accepted, errors, filtered: exporter.counters.filtered, rejectedInAnswer: undefined };
        },
      };
    },
  ],
  [
    'MetaRouterSpanExporter',
    async (server, planEnforcement) => {
      const exporter = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url, trackingPlan: PLAN, planEnforcement });
      const errors: MetaRouterError[] = [];
      exporter.on('error', (error) => errors.push(error));
      const { provider, tracer } = tracerProvider({ processors: [new BatchSpanProcessor(exporter)] });
      const span = tracer.startSpan('signup');
      return {
        send: (messageId, event, properties) => void span.addEvent('analytics.track', { 'analytics.user_id': 'u-1', 'analytics.event': event, 'analytics.message_id': messageId, ...flat(properties) }),
        async finish() {
          span.end();
          await provider.shutdown();
          return { accepted: server.accepted, errors, filtered: exporter.counters.filtered, rejectedInAnswer: undefined };
        },
      };
    },
  ],
  [
    'startBridge',
    async (server, planEnforcement) => {
      // The pipeline's own ingestion server stands idle: the row's server is the one delivered to.
      const pipeline = await startBridgePipeline({ host: server.url, trackingPlan: PLAN, planEnforcement });
      const records: Record<string, unknown>[] = [];
      return {
        send: (messageId, event, properties) =>
          void records.push({ eventName: 'analytics.track', timeUnixNano: '1700000000000000000', attributes: jsonAttributes({ 'analytics.user_id': 'u-1', 'analytics.event': event, 'analytics.message_id': messageId, ...flat(properties) }) }),
        async finish() {
          const answer = await post(pipeline.url('/v1/logs'), jsonLogsRequest(records));
          assert.equal(answer.status, 200);
          const body = JSON.parse(answer.body.toString()) as { partialSuccess?: { rejectedLogRecords: number; errorMessage: string } };
          await pipeline.close();
          return { accepted: server.accepted, errors: pipeline.errors, filtered: pipeline.bridge.counters.delivery.filtered, rejectedInAnswer: body.partialSuccess?.rejectedLogRecords ?? 0 };
        },
      };
    },
  ],
];

/** What one row expects: the properties that arrive (undefined: nothing arrives), the violation types reported, whether it was dropped by the plan. */
interface Row {
  readonly event: string;
  readonly properties: Properties;
  readonly planEnforcement: PlanEnforcementOptions;
  readonly sent: Record<string, unknown> | undefined;
  readonly reported: string[];
  /** otherViolations 'throw': thrown at the facade's call; dropped and reported elsewhere. */
  readonly thrown?: boolean;
  readonly omitted?: string[];
}

const VALID = { plan: 'pro' };
const MATRIX: ReadonlyArray<[string, Row]> = [
  ['a valid event, defaults', { event: 'Signed Up', properties: VALID, planEnforcement: {}, sent: VALID, reported: [] }],
  ['Unplanned-Event, allow', { event: 'Signed up', properties: VALID, planEnforcement: { unplannedEvents: 'allow' }, sent: VALID, reported: [] }],
  ['Unplanned-Event, report', { event: 'Signed up', properties: VALID, planEnforcement: { unplannedEvents: 'report' }, sent: VALID, reported: ['Unplanned-Event'] }],
  ['Unplanned-Event, drop', { event: 'Signed up', properties: VALID, planEnforcement: { unplannedEvents: 'drop' }, sent: undefined, reported: ['Unplanned-Event'] }],
  ['Unplanned-Property, keep', { event: 'Signed Up', properties: { plan: 'pro', referrer: 'ad' }, planEnforcement: { unplannedProperties: 'keep' }, sent: { plan: 'pro', referrer: 'ad' }, reported: ['Unplanned-Property'] }],
  ['Unplanned-Property, omit', { event: 'Signed Up', properties: { plan: 'pro', referrer: 'ad' }, planEnforcement: { unplannedProperties: 'omit' }, sent: VALID, reported: ['Unplanned-Property'], omitted: ['properties.referrer'] }],
  ['Datatype-Mismatch, report', { event: 'Signed Up', properties: { plan: 5 }, planEnforcement: { otherViolations: 'report' }, sent: { plan: 5 }, reported: ['Datatype-Mismatch'] }],
  ['Datatype-Mismatch, drop', { event: 'Signed Up', properties: { plan: 5 }, planEnforcement: { otherViolations: 'drop' }, sent: undefined, reported: ['Datatype-Mismatch'] }],
  ['Datatype-Mismatch, throw', { event: 'Signed Up', properties: { plan: 5 }, planEnforcement: { otherViolations: 'throw' }, sent: undefined, reported: ['Datatype-Mismatch'], thrown: true }],
  ['Required-Missing, report', { event: 'Signed Up', properties: { seats: 2 }, planEnforcement: { otherViolations: 'report' }, sent: { seats: 2 }, reported: ['Required-Missing'] }],
  ['Required-Missing, drop', { event: 'Signed Up', properties: { seats: 2 }, planEnforcement: { otherViolations: 'drop' }, sent: undefined, reported: ['Required-Missing'] }],
  ['Required-Missing, throw', { event: 'Signed Up', properties: { seats: 2 }, planEnforcement: { otherViolations: 'throw' }, sent: undefined, reported: ['Required-Missing'], thrown: true }],
];

for (const [entry, make] of ENTRY_POINTS) {
  const facade = entry === 'Analytics';
  for (const [name, row] of MATRIX) {
    test(`${entry}: ${name} → ${row.thrown === true && facade ? 'thrown at the call' : row.sent === undefined ? 'dropped (counted) and reported' : row.reported.length === 0 ? 'sent' : 'sent and reported'}`, async () => {
      const server = await startIngestServer();
      try {
        const point = await make(server, row.planEnforcement);
        // A valid event beside it: the plan costs only the message that breaks it.
        point.send('beside', 'Signed Up', VALID);
        let thrown: unknown;
        try {
          point.send('checked', row.event, row.properties);
        } catch (error) {
          thrown = error;
        }
        const { accepted, errors, filtered, rejectedInAnswer } = await point.finish();
        const arrived = accepted.find((message) => message.messageId === 'checked');
        assert.ok(accepted.some((message) => message.messageId === 'beside'), 'the valid event beside it is sent');

        if (row.thrown === true && facade) {
          assert.ok(thrown instanceof ValidationError, 'a ValidationError at the call');
          assert.equal(thrown.code, 'MR_ERR_PLAN_VIOLATION');
          assert.match(thrown.message, new RegExp(row.reported[0]!));
          assert.ok(thrown.cause instanceof PlanViolationError, 'the report is its cause');
          assert.equal(arrived, undefined);
          assert.deepEqual(errors, [], 'thrown, so not also reported');
          assert.equal(filtered, 0);
          return;
        }
        assert.equal(thrown, undefined, 'nothing thrown');
        assert.deepEqual(arrived?.properties, row.sent, 'what is sent');
        if (row.omitted !== undefined) assert.deepEqual((arrived!.context as { protocols: unknown }).protocols, { omitted: row.omitted });
        const reports = errors.filter((error): error is PlanViolationError => error instanceof PlanViolationError);
        assert.deepEqual(errors.length, reports.length, `only plan reports: ${errors.map((error) => error.message).join('; ')}`);
        assert.deepEqual(reports.map((report) => report.violations.map((violation) => violation.type)), row.reported.length === 0 ? [] : [row.reported]);
        for (const report of reports) {
          assert.equal(report.code, 'MR_ERR_PLAN_VIOLATION');
          assert.deepEqual(report.messageIds, ['checked']);
          assert.equal(report.planId, 'tp_entry');
          assert.equal(report.outcome, row.sent === undefined ? 'dropped' : row.omitted === undefined ? 'sent' : 'sent-with-omissions');
        }
        assert.equal(filtered, row.sent === undefined ? 1 : 0, 'a drop by the plan is counted as filtered, not as an error');
        if (rejectedInAnswer !== undefined) assert.equal(rejectedInAnswer, row.sent === undefined ? 1 : 0, 'the bridge tells the OTLP client');
      } finally {
        await server.close();
      }
    });
  }
}

test('the plan checks what beforeSend made of the message: a hook that fixes a type makes it valid, one that breaks it makes it reported', async () => {
  const server = await startIngestServer();
  const analytics = new Analytics({
    writeKey: 'k',
    host: server.url,
    trackingPlan: PLAN,
    beforeSend: (message) => {
      const properties = message.properties as Properties;
      if (message.messageId === 'fixed') properties.plan = String(properties.plan);
      if (message.messageId === 'broken') properties.plan = 7;
      return message;
    },
  });
  const errors: MetaRouterError[] = [];
  analytics.on('error', (error) => errors.push(error));
  try {
    analytics.track({ userId: 'u', event: 'Signed Up', properties: { plan: 3 }, messageId: 'fixed' });
    analytics.track({ userId: 'u', event: 'Signed Up', properties: { plan: 'pro' }, messageId: 'broken' });
    await analytics.closeAndFlush();
    assert.deepEqual(server.accepted.map((message) => [message.messageId, message.properties]), [['fixed', { plan: '3' }], ['broken', { plan: 7 }]]);
    assert.deepEqual(errors.map((error) => [(error as PlanViolationError).messageIds, (error as PlanViolationError).violations[0]!.type]), [[['broken'], 'Datatype-Mismatch']]);
  } finally {
    await server.close();
  }
});

for (const [what, trackingPlan] of [
  ['not a plan', { rules: 'none' }],
  ['a rule with an invalid schema', { rules: [{ key: 'A', type: 'TRACK', version: 1, jsonSchema: { type: 'nonsense' } }] }],
  ['a remote $ref', { rules: [{ key: 'A', type: 'TRACK', version: 1, jsonSchema: { $ref: 'https://example.com/schema.json' } }] }],
  ['a file that does not exist', 'no-such-plan.json'],
] as const) {
  test(`a tracking plan that is ${what} is a ConfigurationError naming trackingPlan, at the construction of every entry point`, async () => {
    const options = { writeKey: 'k', host: 'http://127.0.0.1:9', trackingPlan: trackingPlan as unknown as SegmentRulesPlan };
    const check = (error: unknown) => error instanceof ConfigurationError && error.option === 'trackingPlan';
    assert.throws(() => new Analytics(options), check);
    assert.throws(() => new MetaRouterLogRecordExporter(options), check);
    assert.throws(() => new MetaRouterSpanExporter(options), check);
    await assert.rejects(startBridge({ ...options, port: 0 }), check);
  });
}
