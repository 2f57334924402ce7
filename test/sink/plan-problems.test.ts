import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigurationError, startSink } from '../../src/index.js';
import { RULES_PLAN } from '../shaping/tracking-plan/fixture-plan.js';

interface StateEntry {
  message: { messageId: string };
  problems: { source: string; code: string; path: string; message: string }[];
}

test('with a tracking plan, the debugger marks its violations with their field paths, beside the Spec problems, and keeps every message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'metarouter-otel-sink-plan-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const planFile = join(dir, 'plan.json');
  await writeFile(planFile, JSON.stringify(RULES_PLAN));
  const sink = await startSink({ port: 0, trackingPlan: planFile });
  t.after(() => sink.close());

  const batch = [
    { type: 'track', userId: 'u', event: 'Signed Up', messageId: 'planned', properties: { plan: 'pro' } },
    { type: 'track', userId: 'u', event: 'Signed Up', messageId: 'missing-plan', properties: {} },
    { type: 'track', userId: 'u', event: 'Signed Up', messageId: 'wrong-type', properties: { plan: 3 } },
    { type: 'track', userId: 'u', event: 'Not In The Plan', messageId: 'unplanned' },
    { type: 'track', event: 'Signed Up', messageId: 'spec-and-plan', properties: { plan: 'pro', extra: 1 } },
  ];
  const response = await fetch(`${sink.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch, writeKey: 'k' }) });
  assert.equal(response.status, 200);
  await response.text();
  assert.equal(sink.messages.length, 5, 'the sink keeps every message, whatever the plan says');

  const { entries } = (await (await fetch(`${sink.url}/api/state`)).json()) as { entries: StateEntry[] };
  const problems = Object.fromEntries(entries.map((entry) => [entry.message.messageId, entry.problems.map((p) => `${p.source} ${p.code} ${p.path}`)]));
  assert.deepEqual(problems, {
    planned: [],
    'missing-plan': ['plan Required-Missing properties.plan'],
    'wrong-type': ['plan Datatype-Mismatch properties.plan'],
    unplanned: ['plan Unplanned-Event event'],
    'spec-and-plan': ['spec MR_ERR_MISSING_IDENTITY userId', 'plan Additional-Properties properties.extra'],
  });
});

test('a tracking plan that cannot be read fails the start with a ConfigurationError', async () => {
  await assert.rejects(startSink({ port: 0, trackingPlan: join(tmpdir(), 'no-such-plan-file.json') }), (error: unknown) => error instanceof ConfigurationError);
});
