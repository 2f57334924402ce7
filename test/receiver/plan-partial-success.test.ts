import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PlanViolationError, type SegmentRulesPlan } from '../../src/index.js';
import { ExportResultCode } from '../../src/otel/otel-compat.js';
import { CLI, startBridgeCli, type BridgeCli } from '../helpers/bridge-cli.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { jsonAttributes, jsonLogsRequest, post, startBridgePipeline } from '../helpers/otlp-bridge.js';
import { capturePartialSuccess, exportLogs, exportSpans, recordingLogger, type Protocol } from '../helpers/otlp-clients.js';
import { tracerProvider } from '../helpers/otel.js';

const PLAN: SegmentRulesPlan = {
  id: 'tp_bridge',
  rules: [{ key: 'Paid', type: 'TRACK', version: 1, jsonSchema: { type: 'object', properties: { properties: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } } } }],
};

const { warnings, partialSuccessSeen } = capturePartialSuccess();

for (const protocol of ['protobuf', 'json'] as Protocol[]) {
  test(`${protocol}: log records whose events the plan drops are answered as rejected in partial_success, beside an invalid record; the rest is delivered`, async () => {
    warnings.length = 0;
    const pipeline = await startBridgePipeline({ trackingPlan: PLAN, planEnforcement: { unplannedEvents: 'drop', otherViolations: 'throw' } });
    const recording = recordingLogger();
    try {
      const { logger } = recording;
      logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-1', 'analytics.event': 'Paid', 'analytics.properties.amount': 5 } });
      logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-1', 'analytics.event': 'Paid', 'analytics.properties.amount': 'five' } });
      logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-1', 'analytics.event': 'Unplanned' } });
      logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-1' } });
      logger.emit({ eventName: 'analytics.identify', attributes: { 'analytics.user_id': 'u-1' } });

      assert.deepEqual(await exportLogs(pipeline.bridge.url, protocol, recording.records()), { code: ExportResultCode.SUCCESS });
      await pipeline.ingest.waitForAccepted(2);

      const partial = partialSuccessSeen();
      assert.equal(Number(partial.rejectedLogRecords), 3, 'two dropped by the plan, one invalid');
      assert.match(String(partial.errorMessage), /2 analytics events break the tracking plan/);
      assert.match(String(partial.errorMessage), /track needs event/);
      assert.deepEqual(pipeline.ingest.accepted.map((message) => message.type), ['track', 'identify']);
      const reports = pipeline.errors.filter((error) => error instanceof PlanViolationError);
      assert.deepEqual(reports.map((report) => (report as PlanViolationError).violations[0]!.type).sort(), ['Datatype-Mismatch', 'Unplanned-Event']);
      assert.equal(pipeline.bridge.counters.planRejected, 2);
      assert.equal(pipeline.bridge.counters.rejected, 1, 'invalid records only');
    } finally {
      await recording.shutdown();
      await pipeline.close();
    }
  });
}

test('traces: rejected_spans carries the events the plan dropped; a request where the plan reports only is answered without partial_success', async () => {
  warnings.length = 0;
  const pipeline = await startBridgePipeline({ trackingPlan: PLAN, planEnforcement: { otherViolations: 'drop' } });
  const { provider, tracer, finished } = tracerProvider();
  try {
    const span = tracer.startSpan('checkout');
    span.addEvent('analytics.track', { 'analytics.user_id': 'u-2', 'analytics.event': 'Paid', 'analytics.properties.amount': 3 });
    span.addEvent('analytics.track', { 'analytics.user_id': 'u-2', 'analytics.event': 'Paid', 'analytics.properties.amount': 'three' });
    span.end();
    assert.deepEqual(await exportSpans(pipeline.bridge.url, finished.getFinishedSpans()), { code: ExportResultCode.SUCCESS });
    await pipeline.ingest.waitForAccepted(1);
    const partial = partialSuccessSeen();
    assert.equal(Number(partial.rejectedSpans), 1);
    assert.match(String(partial.errorMessage), /1 analytics event breaks the tracking plan/);

    // Unplanned events are reported by default, still sent: nothing is rejected.
    const answer = await post(pipeline.url('/v1/logs'), jsonLogsRequest([{ eventName: 'analytics.track', attributes: jsonAttributes({ 'analytics.user_id': 'u-2', 'analytics.event': 'Other' }) }]));
    assert.deepEqual(JSON.parse(answer.body.toString()), {});
    await pipeline.ingest.waitForAccepted(2);
  } finally {
    await provider.shutdown();
    await pipeline.close();
  }
});


test('CLI: `bridge --plan plan.json --other-violations drop` enforces the plan file and answers the rejected count', { timeout: 12_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mr-plan-'));
  const planFile = join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(PLAN));
  const ingest = await startIngestServer();
  let bridge: BridgeCli | undefined;
  try {
    bridge = await startBridgeCli(['--port', '0', '--host', ingest.url, '--write-key', 'cli-plan-key', '--plan', planFile, '--other-violations', 'drop']);
    const record = (amount: string | number) => ({ eventName: 'analytics.track', attributes: jsonAttributes({ 'analytics.user_id': 'u', 'analytics.event': 'Paid', 'analytics.properties.amount': amount }) });
    const answer = await post(`${bridge.url}/v1/logs`, jsonLogsRequest([record(1), record('one')]));
    assert.equal((JSON.parse(answer.body.toString()) as { partialSuccess: { rejectedLogRecords: number } }).partialSuccess.rejectedLogRecords, 1);
    bridge.child.kill('SIGTERM');
    assert.equal(await bridge.exited, 0, bridge.stderr());
    assert.deepEqual(ingest.accepted.map((message) => message.properties), [{ amount: 1 }]);
    assert.match(bridge.stderr(), /^metarouter-otel bridge: MR_ERR_PLAN_VIOLATION .*Datatype-Mismatch/m);
  } finally {
    bridge?.child.kill('SIGKILL');
    await ingest.close();
  }
});

test('CLI: `bridge --plan` with a plan that is not JSON fails at start, naming the option', { timeout: 12_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mr-plan-'));
  const planFile = join(dir, 'plan.json');
  writeFileSync(planFile, '{ not json');
  const child = spawn(process.execPath, [CLI, 'bridge', '--port', '0', '--host', 'http://127.0.0.1:9', '--write-key', 'k', '--plan', planFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((done) => child.once('exit', (exit) => done(exit)));
  assert.notEqual(code, 0);
  assert.match(stderr, /trackingPlan/);
});
