import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { Analytics } from '../../src/index.js';
import { refusingUrl } from '../helpers/delivery-harness.js';
import { startIngestServer } from '../helpers/ingest-server.js';
import { jsonAttributes, jsonLogsRequest, post } from '../helpers/otlp-bridge.js';

const CLI = resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'metarouter-otel-bridge-durable-'));
after(() => rmSync(root, { recursive: true, force: true }));

const record = (id: string) => ({ timeUnixNano: '1767225600000000000', eventName: 'analytics.track', attributes: jsonAttributes({ 'analytics.user_id': 'u', 'analytics.event': 'Order Completed', 'analytics.message_id': id }) });

test('a durable bridge answers 200 once the events are on disk: killed with SIGKILL while the endpoint is down, the next start on its directory delivers them', { timeout: 30_000 }, async () => {
  const directory = join(root, 'spool');
  const bridge = spawn(process.execPath, [CLI, 'bridge', '--port', '0', '--host', await refusingUrl(), '--storage', directory], { env: { ...process.env, METAROUTER_WRITE_KEY: 'bridge-key' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolveExit) => bridge.once('close', resolveExit));
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      bridge.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /listening on (http:\/\/\S+)/.exec(out);
        if (match !== null) resolveUrl(match[1]!);
      });
      bridge.once('close', () => reject(new Error(`the bridge ended: ${out}`)));
    });
    const ids = Array.from({ length: 30 }, (_, i) => `bridged-${i}`);
    for (let i = 0; i < 3; i++) {
      const answer = await post(`${url}/v1/logs`, jsonLogsRequest(ids.slice(i * 10, i * 10 + 10).map(record)));
      assert.equal(answer.status, 200);
    }
    bridge.kill('SIGKILL');
    await exited;

    const server = await startIngestServer();
    const analytics = new Analytics({ writeKey: 'bridge-key', host: server.url, storage: { directory } });
    try {
      await new Promise((resolveTurn) => setImmediate(resolveTurn));
      await analytics.flush();
      assert.deepEqual(server.accepted.map((message) => message.messageId), ids, 'every event the bridge answered 200 for, in order');
      assert.equal(analytics.counters!.recovered, 30);
    } finally {
      await analytics.closeAndFlush();
      await server.close();
    }
  } finally {
    bridge.kill('SIGKILL');
  }
});
