#!/usr/bin/env node
// How responsive the local sink's debugger page stays with a big history: loads N messages
// (default 50,000) into a sink, opens the page in Debian's headless Chromium, and times the
// interactions a developer makes, from the input event to the second animation frame after it
// (the list, the chart and the counts rebuilt and painted). Prints median and worst of each over
// several repeats.
//
//   npm run build && node bench/sink-debugger.mjs [--messages 50000] [--repeats 15]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startSink } from '../dist/index.js';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '50000' }, repeats: { type: 'string', default: '15' } } });
const total = Number(values.messages);
const repeats = Number(values.repeats);

const sink = await startSink({ port: 0 });
for (let start = 0; start < total; start += 1000) {
  const batch = Array.from({ length: Math.min(1000, total - start) }, (_, i) => ({
    type: (start + i) % 5 === 0 ? 'identify' : 'track',
    userId: `user-${(start + i) % 500}`,
    event: (start + i) % 1000 === 7 ? 'Rare Event' : 'Product Viewed',
    messageId: `m-${start + i}`,
    timestamp: new Date().toISOString(),
    properties: { sku: `SKU-${start + i}`, price: (start + i) % 100, currency: 'EUR', category: 'shoes' },
    context: { otel: { traceId: ((start + i) % 2000).toString(16).padStart(32, '0'), spanId: '00f067aa0ba902b7' }, library: { name: 'metarouter-otel', version: '0.1.0' } },
  }));
  const response = await fetch(`${sink.url}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch, sentAt: new Date().toISOString(), writeKey: 'bench' }) });
  await response.text();
}

const profile = await mkdtemp(path.join(tmpdir(), 'metarouter-otel-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 800 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  const loadStart = performance.now();
  await page.goto(sink.debuggerUrl);
  await page.waitForSelector(`#status[data-received="${total}"]`, { timeout: 120_000 });
  const loadMillis = performance.now() - loadStart;

  /** Runs `act` in the page and resolves with the milliseconds until the second frame after it. */
  const timed = (act) =>
    page.evaluate(`(async () => {
      const t0 = performance.now();
      (${act})();
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return performance.now() - t0;
    })()`);
  const setInput = (id, value) => `() => { const input = document.getElementById('${id}'); input.value = ${JSON.stringify(value)}; input.dispatchEvent(new Event('input')); }`;
  const setSelect = (id, value) => `() => { const input = document.getElementById('${id}'); input.value = ${JSON.stringify(value)}; input.dispatchEvent(new Event('change')); }`;

  const interactions = {
    'search the payloads (type a word)': [setInput('f-q', 'sku-4242'), setInput('f-q', '')],
    'filter by type (select)': [setSelect('f-type', 'identify'), setSelect('f-type', '')],
    'filter by trace id': [setInput('f-trace', '00000000000000000000000000000007'), setInput('f-trace', '')],
    'scroll to the middle': ["() => { const v = document.getElementById('viewport'); v.scrollTop = v.scrollHeight / 2; v.dispatchEvent(new Event('scroll')); }", "() => { const v = document.getElementById('viewport'); v.scrollTop = 0; v.dispatchEvent(new Event('scroll')); }"],
    'open a message (click a row)': ["() => document.querySelector('#spacer .row[data-seq]:not([hidden])').click()", "() => document.getElementById('d-close').click()"],
    'stack the chart by event name': [setSelect('chart-by', 'event'), setSelect('chart-by', 'type')],
    'switch to By trace': ["() => document.querySelector('[data-view=traces]').click()", "() => document.querySelector('[data-view=messages]').click()"],
  };
  const results = [];
  for (const [name, [act, undo]] of Object.entries(interactions)) {
    const times = [];
    for (let i = 0; i < repeats; i++) {
      times.push(await timed(act));
      await timed(undo);
    }
    times.sort((a, b) => a - b);
    results.push({ name, median: times[Math.floor(times.length / 2)], worst: times.at(-1) });
  }
  const rows = await page.locator('#spacer .row:not([hidden])').count();
  console.log(`sink debugger, ${total} messages in history, headless Chromium (${(await context.browser()?.version()) ?? 'system chromium'}), Node ${process.version}`);
  console.log(`page load to all ${total} shown: ${Math.round(loadMillis)} ms; rows in the document: ${rows}`);
  console.log('interaction (input event to second frame)   median    worst');
  for (const { name, median, worst } of results) console.log(`  ${name.padEnd(42)} ${median.toFixed(1).padStart(6)} ms ${worst.toFixed(1).padStart(7)} ms`);
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
  await sink.close();
}
