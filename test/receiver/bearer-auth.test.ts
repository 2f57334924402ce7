import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode } from '../../src/otel/otel-compat.js';
import { jsonLogsRequest, post, startBridgePipeline, trackRecord } from '../helpers/otlp-bridge.js';
import { exportLogs, recordingLogger } from '../helpers/otlp-clients.js';

const TOKEN = 'otlp-bridge-secret-7f3a';

test('with a token: a request without it, or with another, gets 401 and WWW-Authenticate; with it, 200; health checks need none', async () => {
  const pipeline = await startBridgePipeline({ token: TOKEN });
  try {
    const body = jsonLogsRequest([trackRecord('u-1', 'Authorized')]);
    const refusals: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`${TOKEN}:`).toString('base64')}` },
      { authorization: TOKEN },
      { authorization: 'Bearer' },
    ];
    for (const headers of refusals) {
      const answer = await post(pipeline.url('/v1/logs'), body, headers);
      assert.equal(answer.status, 401, JSON.stringify(headers));
      assert.equal(answer.headers.get('www-authenticate'), 'Bearer');
      assert.doesNotMatch(answer.body.toString(), new RegExp(TOKEN), 'the answer never echoes the token');
    }
    assert.equal((await post(pipeline.url('/v1/logs'), body, { 'content-type': 'text/plain' })).status, 401, 'auth is checked before anything else of the request');
    assert.equal((await post(pipeline.url('/v1/logs'), body, { authorization: `bearer  ${TOKEN}` })).status, 200, 'the scheme is case-insensitive');
    for (const path of ['/healthz', '/readyz']) {
      const response = await fetch(pipeline.url(path));
      await response.arrayBuffer();
      assert.equal(response.status, 200, path);
    }
    await pipeline.ingest.waitForAccepted(1);
    assert.equal(pipeline.ingest.accepted.length, 1);
  } finally {
    await pipeline.close();
  }
});

test('the official exporter passes with `headers: { Authorization: Bearer … }` and fails with 401 without', async () => {
  const pipeline = await startBridgePipeline({ token: TOKEN });
  const recording = recordingLogger();
  try {
    recording.logger.emit({ eventName: 'analytics.track', attributes: { 'analytics.user_id': 'u-2', 'analytics.event': 'From Exporter' } });
    const refused = await exportLogs(pipeline.bridge.url, 'protobuf', recording.records());
    assert.equal(refused.code, ExportResultCode.FAILED);
    assert.equal((refused.error as { code?: number } | undefined)?.code, 401);

    const accepted = await exportLogs(pipeline.bridge.url, 'protobuf', recording.records(), { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(accepted, { code: ExportResultCode.SUCCESS });
    await pipeline.ingest.waitForAccepted(1);
    assert.deepEqual(pipeline.ingest.accepted.map((message) => message.event), ['From Exporter']);
  } finally {
    await recording.shutdown();
    await pipeline.close();
  }
});

test('without a token any request passes; the token may come from METAROUTER_BRIDGE_TOKEN', async () => {
  const open = await startBridgePipeline();
  try {
    assert.equal((await post(open.url('/v1/logs'), jsonLogsRequest([trackRecord('u-3', 'Open')]), { authorization: 'Bearer anything' })).status, 200);
  } finally {
    await open.close();
  }

  process.env.METAROUTER_BRIDGE_TOKEN = TOKEN;
  const fromEnv = await startBridgePipeline().finally(() => delete process.env.METAROUTER_BRIDGE_TOKEN);
  try {
    assert.equal((await post(fromEnv.url('/v1/logs'), jsonLogsRequest([trackRecord('u-3', 'Env')]))).status, 401);
    assert.equal((await post(fromEnv.url('/v1/logs'), jsonLogsRequest([trackRecord('u-3', 'Env')]), { authorization: `Bearer ${TOKEN}` })).status, 200);
  } finally {
    await fromEnv.close();
  }
});
