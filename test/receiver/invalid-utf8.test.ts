import assert from 'node:assert/strict';
import { test } from 'node:test';
import Long from 'long';
import { opentelemetry } from '../../src/receiver/generated/otlp.js';
import { jsonLogsRequest, post, startBridgePipeline, trackRecord } from '../helpers/otlp-bridge.js';

const logsV1 = opentelemetry.proto.collector.logs.v1;
/** Same byte length as the two invalid bytes that replace it on the wire. */
const PLACEHOLDER = 'ZZ';
const INVALID = Buffer.from([0xff, 0xfe]);

/** Replaces every PLACEHOLDER in the encoded bytes by two bytes that are not UTF-8. */
function withInvalidUtf8(bytes: Uint8Array): Buffer {
  const buffer = Buffer.from(bytes);
  for (let at = buffer.indexOf(PLACEHOLDER); at !== -1; at = buffer.indexOf(PLACEHOLDER, at + INVALID.length)) INVALID.copy(buffer, at);
  return buffer;
}

const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
const time = Long.fromString('1767225600000000000', true);

test('protobuf: invalid UTF-8 in a record that is not ours is ignored, in an analytics record it rejects that record alone (partial_success); the valid events of the request are delivered', async () => {
  const pipeline = await startBridgePipeline();
  try {
    const request = logsV1.ExportLogsServiceRequest.encode({
      resourceLogs: [{
        scopeLogs: [{
          logRecords: [
            { timeUnixNano: time, eventName: 'analytics.track', attributes: [attribute('analytics.user_id', 'u-1'), attribute('analytics.event', 'Kept')] },
            { timeUnixNano: time, body: { stringValue: `an application log line with ${PLACEHOLDER} in it` }, attributes: [attribute('app.note', PLACEHOLDER)] },
            { timeUnixNano: time, eventName: 'analytics.track', attributes: [attribute('analytics.user_id', 'u-2'), attribute('analytics.event', `Bad ${PLACEHOLDER} name`)] },
          ],
        }],
      }],
    }).finish();
    const answer = await post(pipeline.url('/v1/logs'), withInvalidUtf8(request), { 'content-type': 'application/x-protobuf' });
    assert.equal(answer.status, 200, 'the request is not refused whole');
    const response = logsV1.ExportLogsServiceResponse.decode(answer.body);
    assert.equal(Number(response.partialSuccess?.rejectedLogRecords), 1, 'only the analytics record with invalid UTF-8 is rejected');
    assert.match(String(response.partialSuccess?.errorMessage), /UTF-8/);
    await pipeline.ingest.waitForAccepted(1);
    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event), ['Kept']);
  } finally {
    await pipeline.close();
  }
});

test('JSON: invalid UTF-8 is treated the same way (it was turned into U+FFFD and sent before)', async () => {
  const pipeline = await startBridgePipeline();
  try {
    const text = jsonLogsRequest([trackRecord('u-1', 'Kept'), { body: { stringValue: `log ${PLACEHOLDER}` } }, trackRecord('u-2', `Bad ${PLACEHOLDER}`)]);
    const answer = await post(pipeline.url('/v1/logs'), withInvalidUtf8(Buffer.from(text)));
    assert.equal(answer.status, 200);
    const response = JSON.parse(answer.body.toString()) as { partialSuccess?: { rejectedLogRecords?: number; errorMessage?: string } };
    assert.equal(Number(response.partialSuccess?.rejectedLogRecords), 1);
    assert.match(String(response.partialSuccess?.errorMessage), /UTF-8/);
    await pipeline.ingest.waitForAccepted(1);
    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event), ['Kept']);
  } finally {
    await pipeline.close();
  }
});
