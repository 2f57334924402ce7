import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError, startBridge } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';
import { arrivedOnce } from '../helpers/ingest-server.js';
import { jsonAttributes, post, startBridgePipeline, trackRecord } from '../helpers/otlp-bridge.js';

const PYTHON = {
  'service.name': 'billing',
  'service.namespace': 'shop',
  'deployment.environment.name': 'staging',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'python',
  'telemetry.sdk.version': '1.27.0',
};

function withId(record: Record<string, unknown>, messageId: string): Record<string, unknown> {
  return { ...record, attributes: [...(record.attributes as unknown[]), ...jsonAttributes({ 'analytics.message_id': messageId })] };
}

const SPAN = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  name: 'pay',
  startTimeUnixNano: '1767225600000000000',
  endTimeUnixNano: '1767225601000000000',
  events: [{ name: 'analytics.track', timeUnixNano: '1767225600500000000', attributes: jsonAttributes({ 'analytics.user_id': 'u', 'analytics.event': 'Paid', 'analytics.message_id': 'py-span-1' }) }],
};

test("through the bridge, each OTLP resource's identity is context.otel.resource and context.library names the sender's SDK, else its scope, never metarouter-otel", async () => {
  const pipeline = await startBridgePipeline();
  try {
    const logs = {
      resourceLogs: [
        { resource: { attributes: jsonAttributes(PYTHON) }, scopeLogs: [{ scope: { name: 'billing.analytics', version: '3' }, logRecords: [withId(trackRecord('u', 'Paid'), 'py-1')] }] },
        { resource: { attributes: jsonAttributes({ 'service.name': 'bare' }) }, scopeLogs: [{ scope: { name: 'hand-made', version: '0.1' }, logRecords: [withId(trackRecord('u', 'Paid'), 'bare-1')] }] },
        { scopeLogs: [{ logRecords: [withId(trackRecord('u', 'Paid'), 'anon-1')] }] },
      ],
    };
    assert.equal((await post(pipeline.url('/v1/logs'), JSON.stringify(logs))).status, 200);
    const traces = { resourceSpans: [{ resource: { attributes: jsonAttributes(PYTHON) }, scopeSpans: [{ scope: { name: 'x' }, spans: [SPAN] }] }] };
    assert.equal((await post(pipeline.url('/v1/traces'), JSON.stringify(traces))).status, 200);
    await pipeline.ingest.waitForAccepted(4);
  } finally {
    await pipeline.close();
  }
  const context = (id: string) => arrivedOnce(pipeline.ingest, id).context as { library: { name: string }; otel?: Record<string, unknown> };
  const python = { name: 'opentelemetry', version: '1.27.0', language: 'python' };
  const pythonResource = { 'service.name': 'billing', 'service.namespace': 'shop', 'deployment.environment.name': 'staging' };
  assert.deepEqual(context('py-1'), { library: python, otel: { resource: pythonResource } });
  assert.deepEqual(context('bare-1'), { library: { name: 'hand-made', version: '0.1' }, otel: { resource: { 'service.name': 'bare' } } });
  assert.deepEqual(context('anon-1'), { library: { name: 'otlp' } });
  assert.deepEqual(context('py-span-1'), { library: python, otel: { traceId: SPAN.traceId, spanId: SPAN.spanId, resource: pythonResource } });
  for (const id of ['py-1', 'bare-1', 'anon-1', 'py-span-1']) assert.notEqual(context(id).library.name, LIBRARY.name);
});

test('startBridge({ resourceAttributeKeys }) chooses which attributes of each OTLP resource are sent, in that order; [] sends none; a bad list is a ConfigurationError', async () => {
  const chosen = await startBridgePipeline({ resourceAttributeKeys: ['deployment.environment.name', 'service.name', 'telemetry.sdk.language', 'absent.key'] });
  const none = await startBridgePipeline({ resourceAttributeKeys: [] });
  try {
    const logs = (messageId: string) => JSON.stringify({ resourceLogs: [{ resource: { attributes: jsonAttributes(PYTHON) }, scopeLogs: [{ logRecords: [withId(trackRecord('u', 'Paid'), messageId)] }] }] });
    const traces = JSON.stringify({ resourceSpans: [{ resource: { attributes: jsonAttributes(PYTHON) }, scopeSpans: [{ spans: [SPAN] }] }] });
    assert.equal((await post(chosen.url('/v1/logs'), logs('chosen-1'))).status, 200);
    assert.equal((await post(chosen.url('/v1/traces'), traces)).status, 200);
    assert.equal((await post(none.url('/v1/logs'), logs('none-1'))).status, 200);
    await chosen.ingest.waitForAccepted(2);
    await none.ingest.waitForAccepted(1);
  } finally {
    await chosen.close();
    await none.close();
  }
  const resourceOf = (ingest: typeof chosen.ingest, id: string) => (arrivedOnce(ingest, id).context as { otel?: { resource?: Record<string, unknown> } }).otel?.resource;
  const expected = { 'deployment.environment.name': 'staging', 'service.name': 'billing', 'telemetry.sdk.language': 'python' };
  for (const id of ['chosen-1', 'py-span-1']) {
    const resource = resourceOf(chosen.ingest, id);
    assert.deepEqual(resource, expected, id);
    assert.deepEqual(Object.keys(resource!), Object.keys(expected), `${id}: in the option's order`);
  }
  assert.equal(resourceOf(none.ingest, 'none-1'), undefined);
  await assert.rejects(
    startBridge({ port: 0, writeKey: 'k', host: 'http://127.0.0.1:9', resourceAttributeKeys: ['service.name', ''] }),
    (error: unknown) => error instanceof ConfigurationError && error.code === 'MR_ERR_INVALID_OPTION' && error.option === 'resourceAttributeKeys',
  );
});
