import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode } from '../../src/otel/otel-compat.js';
import { waitFor } from '../helpers/delivery-harness.js';
import { jsonLogsRequest, post, startBridgePipeline, trackRecord } from '../helpers/otlp-bridge.js';
import { exportLogs, recordingLogger } from '../helpers/otlp-clients.js';

test('when the delivery queue has no room for a request, it gets 503 with Retry-After and none of its events are taken; the official exporter retries and gets through once there is room', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  // Downstream stalls until released: the two first events stay in flight and fill the queue.
  const pipeline = await startBridgePipeline({ maxQueueSize: 2, flushAt: 1, retryAfterSeconds: 1, script: () => released.then(() => ({ status: 200 })) });
  const recording = recordingLogger();
  try {
    const first = await post(pipeline.url('/v1/logs'), jsonLogsRequest([trackRecord('u-1', 'First'), trackRecord('u-1', 'Second')]));
    assert.equal(first.status, 200);
    await waitFor(() => pipeline.ingest.requests.length === 2, 'both events in flight');

    const refused = await post(pipeline.url('/v1/logs'), jsonLogsRequest([trackRecord('u-1', 'Refused')]));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match((JSON.parse(refused.body.toString()) as { message: string }).message, /queue is full/);
    assert.equal(pipeline.bridge.counters.queued, 2, 'none of the refused request’s events was taken');
    assert.equal(pipeline.bridge.counters.throttled, 1);
    assert.equal(pipeline.bridge.counters.delivery.dropped, 0, 'nothing dropped: the client keeps what was refused');
    const ready = await fetch(pipeline.url('/readyz'));
    await ready.arrayBuffer();
    assert.equal(ready.status, 200, 'a busy bridge is still ready: backpressure is per request');

    recording.logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-2', 'analytics.event': 'Retried By Exporter' } });
    const exported = exportLogs(pipeline.bridge.url, 'protobuf', recording.records(), { timeoutMillis: 8000 });
    await waitFor(() => pipeline.bridge.counters.throttled === 2, 'the exporter to be refused once');
    release();

    assert.deepEqual(await exported, { code: ExportResultCode.SUCCESS }, 'the exporter honoured Retry-After and retried');
    await pipeline.ingest.waitForAccepted(3);
    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event), ['First', 'Second', 'Retried By Exporter']);
    assert.deepEqual(pipeline.errors, []);
  } finally {
    release();
    await recording.shutdown();
    await pipeline.close();
  }
});

test('a request holding more analytics events than the whole queue gets 413, since no retry could succeed', async () => {
  const pipeline = await startBridgePipeline({ maxQueueSize: 2 });
  try {
    const answer = await post(pipeline.url('/v1/logs'), jsonLogsRequest([trackRecord('u-1', 'A'), trackRecord('u-1', 'B'), trackRecord('u-1', 'C')]));
    assert.equal(answer.status, 413);
    assert.match((JSON.parse(answer.body.toString()) as { message: string }).message, /3 analytics events, more than the delivery queue holds/);
    assert.equal(pipeline.bridge.counters.queued, 0);
  } finally {
    await pipeline.close();
  }
});
