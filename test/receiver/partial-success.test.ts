import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode } from '../../src/otel/otel-compat.js';
import { jsonLogsRequest, post, startBridgePipeline, trackRecord } from '../helpers/otlp-bridge.js';
import { capturePartialSuccess, exportLogs, exportSpans, recordingLogger, type Protocol } from '../helpers/otlp-clients.js';
import { tracerProvider } from '../helpers/otel.js';

const { warnings, partialSuccessSeen } = capturePartialSuccess();

for (const protocol of ['protobuf', 'json'] as Protocol[]) {
  test(`${protocol}: invalid analytics log records are answered in partial_success (count and message); valid ones are delivered; others are not counted`, async () => {
    warnings.length = 0;
    const pipeline = await startBridgePipeline();
    const recording = recordingLogger();
    try {
      const { logger } = recording;
      logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-1', 'analytics.event': 'Fine' } });
      logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-1' } });
      logger.emit({ eventName: 'analytics.identify', attributes: { 'analytics.user_id': 'u-1', 'analytics.traits': '{not json' } });
      logger.emit({ eventName: 'analytics.alias', attributes: { 'analytics.user_id': 'u-1', 'analytics.previous_id': 'anon-1' } });
      logger.emit({ eventName: 'app.event', attributes: { whatever: true } });

      assert.deepEqual(await exportLogs(pipeline.bridge.url, protocol, recording.records()), { code: ExportResultCode.SUCCESS });
      await pipeline.ingest.waitForAccepted(2);

      const partial = partialSuccessSeen();
      assert.equal(Number(partial.rejectedLogRecords), 2, 'two records rejected, the non-analytics one not counted');
      assert.match(String(partial.errorMessage), /track needs event/);
      assert.match(String(partial.errorMessage), /traits is not valid JSON/);
      assert.deepEqual(pipeline.ingest.accepted.map((message) => message.type), ['track', 'alias']);
      assert.deepEqual(pipeline.errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD'], 'one report per request');
      assert.equal(pipeline.bridge.counters.rejected, 2);
      assert.equal(pipeline.bridge.counters.queued, 2);
    } finally {
      await recording.shutdown();
      await pipeline.close();
    }
  });
}

test('traces: rejected_spans counts the spans holding an invalid analytics event; their valid events are still delivered', async () => {
  warnings.length = 0;
  const pipeline = await startBridgePipeline();
  const { provider, tracer, finished } = tracerProvider();
  try {
    const mixed = tracer.startSpan('mixed');
    mixed.addEvent('analytics.track', { 'analytics.user_id': 'u-2', 'analytics.event': 'Kept' });
    mixed.addEvent('analytics.group', { 'analytics.user_id': 'u-2' });
    mixed.end();
    const bad = tracer.startSpan('bad');
    bad.addEvent('analytics.page', { 'analytics.name': 'No One' });
    bad.end();
    const good = tracer.startSpan('good');
    good.addEvent('analytics.screen', { 'analytics.user_id': 'u-2', 'analytics.name': 'Home' });
    good.end();

    assert.deepEqual(await exportSpans(pipeline.bridge.url, finished.getFinishedSpans()), { code: ExportResultCode.SUCCESS });
    await pipeline.ingest.waitForAccepted(2);

    const partial = partialSuccessSeen();
    assert.equal(Number(partial.rejectedSpans), 2);
    assert.match(String(partial.errorMessage), /group needs groupId/);
    assert.match(String(partial.errorMessage), /page needs a userId or an anonymousId/);
    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event ?? message.name), ['Kept', 'Home']);
  } finally {
    await provider.shutdown();
    await pipeline.close();
  }
});

test('a fully accepted request is answered without partial_success; an event over 32 KB is rejected, not dropped after acceptance', async () => {
  const pipeline = await startBridgePipeline();
  try {
    const clean = await post(pipeline.url('/v1/logs'), jsonLogsRequest([trackRecord('u-3', 'Small')]));
    assert.equal(clean.status, 200);
    assert.equal(clean.headers.get('content-type'), 'application/json');
    assert.deepEqual(JSON.parse(clean.body.toString()), {});

    const large = trackRecord('u-3', 'Large');
    (large.attributes as unknown[]).push({ key: 'analytics.properties.blob', value: { stringValue: 'x'.repeat(40 * 1024) } });
    const answer = await post(pipeline.url('/v1/logs'), jsonLogsRequest([large, trackRecord('u-3', 'Beside It')]));
    assert.equal(answer.status, 200);
    const { partialSuccess } = JSON.parse(answer.body.toString()) as { partialSuccess: { rejectedLogRecords: number; errorMessage: string } };
    assert.equal(partialSuccess.rejectedLogRecords, 1);
    assert.match(partialSuccess.errorMessage, /over the 32768-byte limit/);
    await pipeline.ingest.waitForAccepted(2);
    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event), ['Small', 'Beside It']);
    assert.deepEqual(pipeline.errors.map((error) => error.code), ['MR_ERR_INVALID_RECORD'], 'reported as rejected, not as a drop after acceptance');
  } finally {
    await pipeline.close();
  }
});
