import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { Analytics, startSink, type Sink } from '../../src/index.js';
import { browserSkipReason, launchBrowser, type Browser } from '../helpers/browser.js';
import { tracerProvider, useContextManager } from '../helpers/otel.js';
import { RULES_PLAN } from '../shaping/tracking-plan/fixture-plan.js';

// The debugger page in a real headless Chromium (Debian's), one browser for the whole file.
// Screenshots go to a temporary folder, or to docs/ with METAROUTER_OTEL_SCREENSHOTS=docs
// (npm run docs:screenshots), which is how the README's pictures are made.
const DOCS = join(resolve(__dirname, '..', '..', '..'), 'docs');

// One line, not ten failures, on a machine without a browser (CI=true makes it a failure instead).
describe('the debugger page in Chromium', { skip: browserSkipReason }, () => {
  let browser: Browser;
  let shots: string;
  let stopContext: (() => void) | undefined;
  before(async () => {
    browser = await launchBrowser();
    shots = process.env.METAROUTER_OTEL_SCREENSHOTS === 'docs' ? DOCS : await mkdtemp(join(tmpdir(), 'metarouter-otel-shots-'));
    stopContext = useContextManager();
  });
  after(async () => {
    stopContext?.();
    await browser?.close();
    if (shots !== undefined && shots !== DOCS) await rm(shots, { recursive: true, force: true });
  });

  /** Opens the page, closed when the test ends; `errors` collects any script error in it. */
  async function open(t: TestContext, sink: Sink, query = ''): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.context.newPage();
    t.after(() => page.close());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${sink.debuggerUrl}${query}`);
    await page.waitForSelector('#status:has-text("live")');
    return { page, errors };
  }

  /** A sink closed when the test ends. */
  async function sinkFor(t: TestContext, options: Parameters<typeof startSink>[0] = {}): Promise<Sink> {
    const sink = await startSink({ port: 0, ...options });
    t.after(() => sink.close());
    return sink;
  }

  /**
   * Posts a batch on a connection of its own: a pooled keep-alive connection to a sink that closed
   * would be reused for the next sink on the same port and fail the restart test.
   */
  function post(sink: Sink, messages: unknown[], writeKey = 'hand_made_key'): Promise<number> {
    const body = JSON.stringify({ batch: messages, sentAt: new Date().toISOString(), writeKey });
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${sink.url}/v1/batch`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      });
      request.once('error', reject);
      request.end(body);
    });
  }

  const track = (messageId: string) => ({ type: 'track', userId: 'u', event: 'E', messageId });
  const shownSeqs = (page: Page): Promise<string[]> => page.$$eval('#spacer .row[data-seq]:not([hidden])', (rows) => rows.map((row) => row.getAttribute('data-seq')!));
  const untilShown = (page: Page, count: number): Promise<unknown> => page.waitForSelector(`#status[data-shown="${count}"]`);

  test('messages posted by the library appear live without a reload, newest first; the detail shows the JSON exactly as posted (writeKey masked) and its request', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    const analytics = new Analytics({ writeKey: 'live_source_key', host: sink.url, compression: 'gzip' });
    const ids = [
      analytics.track({ userId: 'live-user', event: 'Signed Up', properties: { plan: 'pro', seats: 3 } }),
      analytics.identify({ userId: 'live-user', traits: { name: 'Arthur Dent' } }),
      analytics.page({ anonymousId: 'anon-7', name: 'Pricing' }),
    ];
    await analytics.closeAndFlush();
    await untilShown(page, 3);
    assert.deepEqual(await shownSeqs(page), ['3', '2', '1'], 'newest first');
    assert.equal(await page.textContent('#spacer .row[data-seq="1"] .c-what'), 'Signed Up');
    assert.equal(await page.textContent('#spacer .row[data-seq="3"] .c-who'), 'anon anon-7');

    await page.click('#spacer .row[data-seq="1"]');
    await page.click('#d-raw');
    const raw = JSON.parse((await page.textContent('#d-json'))!) as Record<string, unknown>;
    const posted = sink.messages.find((message) => message.messageId === ids[0])!;
    assert.deepEqual(raw, { ...posted, writeKey: 'li••••••ey' }, 'the exact message, its writeKey masked');
    assert.equal(await page.textContent('[data-fact="writeKey"]'), 'li••••••ey (body)');
    assert.match((await page.textContent('[data-fact="request"]'))!, /^#1: 3 messages, \d+ bytes gzip$/);
    assert.match((await page.textContent('[data-fact="sentAt"]'))!, /received -?\d+ ms later/);
    await page.click('#d-pretty');
    assert.equal(await page.textContent('#d-json'), JSON.stringify({ ...posted, writeKey: 'li••••••ey' }, null, 2));

    // Keyboard: arrows move the selection, Escape closes the detail, / goes to the search.
    await page.focus('#viewport');
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.textContent('#d-title'), 'identify', 'ArrowUp selects the next newer message');
    await page.keyboard.press('k');
    assert.equal(await page.textContent('#d-title'), 'page Pricing');
    await page.keyboard.press('Escape');
    assert.equal(await page.isHidden('#detail'), true);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate('document.activeElement.id'), 'f-q');
    assert.deepEqual(errors, []);
  });

  test('filters and free-text search narrow the list, the URL keeps them, and a shared URL opens the same view', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    await post(sink, [
      { type: 'track', userId: 'alice', event: 'Order Completed', properties: { coupon: 'SPRING24' }, messageId: 'f-1' },
      { type: 'track', userId: 'bob', event: 'Order Completed', properties: { coupon: 'none' }, messageId: 'f-2' },
      { type: 'identify', userId: 'alice', traits: { email: 'alice@example.com' }, messageId: 'f-3' },
      { type: 'page', anonymousId: 'anon-1', name: 'Checkout', messageId: 'f-4' },
    ]);
    await untilShown(page, 4);
    await page.selectOption('#f-type', 'track');
    await untilShown(page, 2);
    await page.fill('#f-user', 'alice');
    await untilShown(page, 1);
    assert.deepEqual(await shownSeqs(page), ['1']);
    await page.selectOption('#f-type', '');
    await page.fill('#f-user', '');
    await page.fill('#f-q', 'spring24');
    await untilShown(page, 1);
    assert.deepEqual(await shownSeqs(page), ['1'], 'search reaches nested properties');
    await page.fill('#f-q', '');
    await page.fill('#f-event', 'checkout');
    await untilShown(page, 1);
    assert.deepEqual(await shownSeqs(page), ['4']);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('event'), 'checkout');

    const shared = await browser.context.newPage();
    await shared.goto(url.href);
    await untilShown(shared, 1);
    assert.equal(await shared.inputValue('#f-event'), 'checkout');
    assert.deepEqual(await shownSeqs(shared), ['4']);
    await shared.close();
    assert.deepEqual(errors, []);
  });

  test('by trace: the messages of one request trace are grouped under its trace id, which links to the trace viewer', async (t) => {
    const sink = await sinkFor(t, { traceUrl: 'http://localhost:16686/trace/{traceId}' });
    const { page, errors } = await open(t, sink, '?view=traces');
    const { provider, tracer } = tracerProvider();
    t.after(() => provider.shutdown());
    const analytics = new Analytics({ writeKey: 'k', host: sink.url });
    const traces: string[] = [];
    for (const user of ['first', 'second']) {
      tracer.startActiveSpan(`GET /checkout?user=${user}`, (span) => {
        traces.push(span.spanContext().traceId);
        analytics.track({ userId: user, event: 'Checkout Started' });
        analytics.track({ userId: user, event: 'Order Completed' });
        span.end();
      });
    }
    analytics.track({ userId: 'outside', event: 'Background Job' });
    await analytics.closeAndFlush();
    await untilShown(page, 5);
    const rows = await page.$$eval('#spacer .row:not([hidden])', (elements) =>
      elements.map((row) => ({ group: row.classList.contains('group'), trace: row.getAttribute('data-trace'), who: row.querySelector('.c-who')!.textContent })),
    );
    assert.deepEqual(
      rows.map((row) => (row.group ? `group ${row.trace === '' ? '-' : row.trace}` : `${row.who} ${row.trace}`)),
      [`group ${traces[1]}`, `second ${traces[1]}`, `second ${traces[1]}`, `group ${traces[0]}`, `first ${traces[0]}`, `first ${traces[0]}`, 'group -', 'outside '],
      'newest trace first, each with its messages, then the untraced ones',
    );
    const href = await page.getAttribute(`#spacer .row.group[data-trace="${traces[0]}"] a`, 'href');
    assert.equal(href, `http://localhost:16686/trace/${traces[0]}`);
    await page.click(`#spacer .row[data-trace="${traces[1]}"]:not(.group)`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(shots, 'sink-debugger-traces-dark.png') });
    assert.deepEqual(errors, []);
  });

  test('a message that breaks the Segment Spec is marked with its field path; a repeated messageId is marked as a duplicate', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    await post(sink, [
      { type: 'track', userId: 'u', messageId: 'no-event', timestamp: '2026-01-02T03:04:05.000Z' },
      { type: 'group', userId: 'u', groupId: 'acme', traits: 'not an object', messageId: 'bad-traits' },
      { type: 'identify', userId: 'u', messageId: 'twice' },
      { type: 'identify', userId: 'u', messageId: 'twice' },
      { type: 'track', userId: 'u', event: 'Fine', messageId: 'fine' },
    ]);
    await untilShown(page, 5);
    const marked = await page.$$eval('#spacer .row.bad', (rows) => rows.map((row) => row.getAttribute('data-seq')));
    assert.deepEqual(marked.sort(), ['1', '2', '4']);
    await page.click('#spacer .row[data-seq="1"]');
    assert.deepEqual(await page.$$eval('#d-problems li', (items) => items.map((item) => item.textContent)), ['event: track needs event [spec, MR_ERR_MISSING_FIELD]']);
    await page.click('#spacer .row[data-seq="2"]');
    assert.match((await page.textContent('#d-problems li'))!, /^traits must be a plain object/, 'the path is said once');
    await page.click('#spacer .row[data-seq="4"]');
    assert.deepEqual(await page.$$eval('#d-problems li', (items) => items.map((item) => item.getAttribute('data-source'))), ['duplicate']);
    await page.check('#f-problems');
    await untilShown(page, 3);
    assert.deepEqual(await shownSeqs(page), ['4', '2', '1']);
    assert.deepEqual(errors, []);
  });

  test('fault simulation armed from the page makes the library retry; the requests panel shows each answer, and the message arrives once', async (t) => {
    const sink = await sinkFor(t, { retryAfterSeconds: 0 });
    const { page, errors } = await open(t, sink);
    await page.selectOption('#fault-kind', '500');
    await page.fill('#fault-count', '2');
    await page.click('#fault-arm');
    await page.waitForSelector('#fault-state[data-kind="500"]');
    assert.deepEqual(sink.fault, { kind: '500', remaining: 2 });

    const analytics = new Analytics({ writeKey: 'k', host: sink.url });
    const retries: number[] = [];
    const id = analytics.track({ userId: 'retrying', event: 'Eventually Delivered' });
    await analytics.closeAndFlush();
    retries.push(analytics.counters?.retries ?? -1);
    assert.equal(retries[0], 2, 'the library retried twice');
    await untilShown(page, 1);
    assert.deepEqual(sink.messages.map((message) => message.messageId), [id], 'kept once');

    await page.click('[data-view="requests"]');
    await page.waitForSelector('#requests tr:nth-child(3)');
    assert.deepEqual(await page.$$eval('#requests tr', (rows) => rows.map((row) => row.getAttribute('data-status'))), ['200', '500', '500']);
    assert.match((await page.textContent('#requests tr:nth-child(2)'))!, /simulated 500/);
    assert.equal(await page.textContent('#fault-state'), '');
    await page.screenshot({ path: join(shots, 'sink-debugger-requests.png') });
    assert.deepEqual(errors, []);
  });

  test('HTML and script in every string field are shown as text: no script runs, no element is made from a payload', async (t) => {
    const sink = await sinkFor(t, { traceUrl: 'http://localhost:16686/trace/{traceId}' });
    const { page, errors } = await open(t, sink);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const evil = (tag: string): string => `<img src=x onerror="window.__pwned='${tag}'"><script>window.__pwned='${tag}'</script><b>${tag}</b>`;
    await post(sink, [
      {
        type: 'track',
        userId: evil('userId'),
        anonymousId: evil('anonymousId'),
        event: evil('event'),
        messageId: evil('messageId').slice(0, 100),
        timestamp: evil('timestamp'),
        properties: { [evil('key')]: evil('value'), nested: { deeper: evil('deep') } },
        context: { otel: { traceId: `"><script>alert(1)</script>`, spanId: evil('span') } },
      },
    ], evil('writeKey'));
    await untilShown(page, 1);
    await page.click('#spacer .row[data-seq="1"]');
    await page.click('#d-raw');
    await page.click('#d-pretty');
    await page.click('[data-view="requests"]');
    await page.click('[data-view="traces"]');
    await page.click('[data-view="messages"]');
    assert.equal(await page.evaluate('window.__pwned'), undefined, 'no payload script ran');
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator('main img, main script, main b').count(), 0, 'no element made from a payload');
    assert.equal(await page.textContent('#spacer .row[data-seq="1"] .c-what'), evil('event'), 'the text is shown as it is');
    const href = await page.getAttribute('#spacer .row[data-seq="1"] .c-trace a', 'href');
    assert.ok(href?.startsWith('http://localhost:16686/trace/%22%3E%3Cscript'), `the trace id is encoded into the link: ${href}`);
    assert.deepEqual(errors, []);
  });

  test('pause holds new arrivals back until resume (counting them); clear empties the view but not the sink', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    await post(sink, [track('before-pause')]);
    await untilShown(page, 1);
    await page.focus('#viewport');
    await page.keyboard.press('p');
    assert.equal(await page.getAttribute('#pause', 'aria-pressed'), 'true');
    await post(sink, [track('while-paused-1'), track('while-paused-2')]);
    await page.waitForSelector('#status:has-text("paused, 2 new")');
    assert.deepEqual(await shownSeqs(page), ['1'], 'the list does not move while paused');
    await page.click('#pause');
    await untilShown(page, 3);
    await page.click('#clear');
    await untilShown(page, 0);
    await post(sink, [track('after-clear')]);
    await untilShown(page, 1);
    assert.deepEqual(await shownSeqs(page), ['4']);
    assert.equal(sink.messages.length, 4, 'clear is a view action: the sink keeps everything');
    assert.deepEqual(errors, []);
  });

  test('Export NDJSON downloads the messages shown, one per line', async (t) => {
    const sink = await sinkFor(t);
    const { page } = await open(t, sink);
    await post(sink, [
      { type: 'track', userId: 'a', event: 'Kept', messageId: 'e-1' },
      { type: 'track', userId: 'b', event: 'Filtered Out', messageId: 'e-2' },
      { type: 'track', userId: 'a', event: 'Kept Too', messageId: 'e-3' },
    ]);
    await untilShown(page, 3);
    await page.fill('#f-user', 'a');
    await untilShown(page, 2);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const text = await readFile((await download.path())!, 'utf8');
    assert.deepEqual(text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { messageId: string }).messageId), ['e-1', 'e-3']);
  });

  test('50,000 messages: the page keeps only the visible rows in the document, its heap stays bounded, and search still narrows the list', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    const total = 50_000;
    for (let start = 0; start < total; start += 1000) {
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        type: 'track',
        userId: `user-${(start + i) % 500}`,
        event: (start + i) % 1000 === 7 ? 'Rare Event' : 'Product Viewed',
        messageId: `m-${start + i}`,
        properties: { sku: `SKU-${start + i}`, price: (start + i) % 100 },
        context: { otel: { traceId: ((start + i) % 2000).toString(16).padStart(32, '0'), spanId: '00f067aa0ba902b7' } },
      }));
      assert.equal(await post(sink, batch), 200);
    }
    await page.waitForSelector(`#status[data-received="${total}"]`, { timeout: 60_000 });
    await untilShown(page, total);
    const rendered = await page.locator('#spacer .row:not([hidden])').count();
    assert.ok(rendered > 10 && rendered < 80, `only the rows in view are in the document (${rendered})`);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const metric = (name: string): number => metrics.find((entry) => entry.name === name)?.value ?? Number.NaN;
    assert.ok(metric('JSHeapUsedSize') < 256 * 1024 * 1024, `heap ${Math.round(metric('JSHeapUsedSize') / 1e6)} MB`);
    assert.ok(metric('Nodes') < 3000, `DOM nodes ${metric('Nodes')}`);

    await page.fill('#f-q', 'rare event');
    await untilShown(page, 50);
    await page.fill('#f-q', '');
    await page.fill('#f-trace', '00000000000000000000000000000007');
    await untilShown(page, 25);
    await page.evaluate("document.getElementById('viewport').scrollTop = 1e9");
    await page.fill('#f-trace', '');
    await untilShown(page, total);
    assert.deepEqual(errors, []);
  });

  test('after the sink restarts on the same port, the page loads the new run without a reload (its numbers start from 1 again)', async (t) => {
    const first = await sinkFor(t);
    const { page, errors } = await open(t, first);
    await post(first, [track('old-1'), track('old-2')]);
    await untilShown(page, 2);
    await first.close();
    const second = await sinkFor(t, { port: first.port });
    await post(second, [{ type: 'track', userId: 'u', event: 'After Restart', messageId: 'new-1' }]);
    await page.waitForSelector('#status[data-received="1"]:has-text("live")', { timeout: 15_000 });
    assert.deepEqual(await shownSeqs(page), ['1']);
    assert.equal(await page.textContent('#spacer .row[data-seq="1"] .c-what'), 'After Restart');
    await post(second, [track('new-2')]);
    await untilShown(page, 2);
    assert.deepEqual(errors, []);
  });

  test('the time column shows the message time in UTC from any ISO form, beside the receive time, and says its timezone', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    await post(sink, [
      { ...track('no-millis'), timestamp: '2026-12-07T10:11:12Z' },
      { ...track('offset'), timestamp: '2026-12-07T12:11:12.5+02:00' },
      track('no-timestamp'),
    ]);
    await untilShown(page, 3);
    const cells = (seq: number) => page.$eval(`#spacer .row[data-seq="${seq}"]`, (row) => [row.querySelector('.c-time')!.textContent, row.querySelector('.c-recv')!.textContent]);
    const received = await page.textContent('#spacer .row[data-seq="1"] .c-recv');
    assert.match(received!, /^\d\d:\d\d:\d\d\.\d\d\d$/);
    assert.deepEqual(await cells(1), ['10:11:12.000', received]);
    assert.deepEqual(await cells(2), ['10:11:12.500', received]);
    assert.deepEqual(await cells(3), ['', received], 'no message time is not replaced by the receive time');
    assert.match((await page.textContent('.row.head .c-time'))!, /UTC/);
    assert.deepEqual(errors, []);
  });

  test('at 800 px wide with the detail open, the list headers stay clear of the detail and of each other, and the search placeholder fits', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    await page.setViewportSize({ width: 800, height: 700 });
    await post(sink, [{ ...track('narrow'), context: { otel: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' } } }]);
    await untilShown(page, 1);
    await page.click('#spacer .row[data-seq="1"]');
    // Run in the page (as text: these tests compile without the DOM's types).
    const layout = (await page.evaluate(`(() => {
      const detailLeft = document.getElementById('detail').getBoundingClientRect().left;
      const cells = [...document.querySelectorAll('.row.head > span')].map((cell) => cell.getBoundingClientRect());
      const input = document.getElementById('f-q');
      const style = getComputedStyle(input);
      const context = document.createElement('canvas').getContext('2d');
      context.font = style.fontSize + ' ' + style.fontFamily;
      const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { detailLeft, rights: cells.map((cell) => cell.right), lefts: cells.map((cell) => cell.left), placeholder: context.measureText(input.placeholder).width, room };
    })()`)) as { detailLeft: number; rights: number[]; lefts: number[]; placeholder: number; room: number };
    for (const right of layout.rights) assert.ok(right <= layout.detailLeft + 0.5, `a header cell ends at ${right}, past the detail at ${layout.detailLeft}`);
    for (let i = 1; i < layout.lefts.length; i++) assert.ok(layout.lefts[i]! >= layout.rights[i - 1]! - 0.5, `header cells ${i - 1} and ${i} overlap`);
    assert.ok(layout.placeholder <= layout.room, `the placeholder needs ${layout.placeholder} px, the input has ${layout.room}`);
    assert.deepEqual(errors, []);
  });

  test('a plan violation is said once (field and rule) and its value is highlighted in the JSON', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'metarouter-otel-page-plan-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'plan.json'), JSON.stringify(RULES_PLAN));
    const sink = await sinkFor(t, { trackingPlan: join(dir, 'plan.json') });
    const { page, errors } = await open(t, sink);
    await post(sink, [{ type: 'track', userId: 'u', event: 'Signed Up', messageId: 'wrong-type', properties: { plan: 3 } }]);
    await untilShown(page, 1);
    await page.click('#spacer .row[data-seq="1"]');
    const [problem] = await page.$$eval('#d-problems li', (items) => items.map((item) => item.textContent!));
    assert.equal(problem!.split('properties.plan').length - 1, 1, `the path once: ${problem}`);
    assert.equal(problem!.split('rules[').length - 1, 1, `the rule once: ${problem}`);
    assert.deepEqual(await page.$$eval('#d-json mark', (marks) => marks.map((mark) => [mark.getAttribute('data-path'), mark.textContent])), [['properties.plan', '"plan": 3']]);
    assert.equal(await page.textContent('#d-json'), JSON.stringify(sink.messages[0], null, 2), 'the highlighted JSON reads the same');
    assert.deepEqual(errors, []);
  });

  test('failed requests badge the Requests tab; a request links to its messages and a message to its request', async (t) => {
    const sink = await sinkFor(t, { retryAfterSeconds: 0 });
    const { page, errors } = await open(t, sink);
    const armed = await fetch(`${sink.url}/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: '500', count: 2 }) });
    assert.equal(armed.status, 200);
    assert.equal(await post(sink, [track('r-1')]), 500);
    assert.equal(await post(sink, [track('r-1')]), 500);
    assert.equal(await post(sink, [track('r-1'), track('r-2')]), 200);
    assert.equal(await post(sink, [track('r-3')]), 200);
    await untilShown(page, 3);
    await page.waitForSelector('#requests-badge:not([hidden]):has-text("2")');
    await page.click('[data-view="requests"]');
    assert.equal(await page.isHidden('#requests-badge'), true, 'seen once the Requests view is open');
    await page.click('#requests tr[data-id="3"] button.to-messages');
    await untilShown(page, 2);
    assert.equal(await page.inputValue('#f-request'), '3');
    assert.deepEqual(await shownSeqs(page), ['2', '1']);
    await page.click('#spacer .row[data-seq="2"]');
    await page.click('[data-fact="request"] button.to-request');
    await page.waitForSelector('#requests tr.current[data-id="3"]');
    assert.equal(await page.isVisible('#requests-pane'), true);
    assert.deepEqual(errors, []);
  });

  test('the detail links the trace id to the trace viewer and names the service from context.otel.resource', async (t) => {
    const sink = await sinkFor(t, { traceUrl: 'http://localhost:16686/trace/{traceId}' });
    const { page, errors } = await open(t, sink);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await post(sink, [{ ...track('traced'), context: { otel: { traceId, spanId: '00f067aa0ba902b7', resource: { 'service.name': 'checkout-api', 'service.version': '1.2.3' } } } }]);
    await untilShown(page, 1);
    await page.click('#spacer .row[data-seq="1"]');
    assert.equal(await page.getAttribute('[data-fact="trace"] a', 'href'), `http://localhost:16686/trace/${traceId}`);
    assert.equal(await page.textContent('[data-fact="service"]'), 'checkout-api');
    assert.deepEqual(errors, []);
  });

  test('the trace-id filter matches whatever the case of the id or of what is typed', async (t) => {
    const sink = await sinkFor(t);
    const { page, errors } = await open(t, sink);
    await post(sink, [
      { ...track('upper'), context: { otel: { traceId: '4BF92F3577B34DA6A3CE929D0E0E4736', spanId: '00F067AA0BA902B7' } } },
      { ...track('lower'), context: { otel: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7' } } },
    ]);
    await untilShown(page, 2);
    await page.fill('#f-trace', '4bf92f35');
    await untilShown(page, 1);
    assert.deepEqual(await shownSeqs(page), ['1']);
    await page.fill('#f-trace', '0AF76519');
    await untilShown(page, 1);
    assert.deepEqual(await shownSeqs(page), ['2']);
    assert.deepEqual(errors, []);
  });

  test('the overview charts messages per second stacked by type (problems apart) and counts each event name with a sparkline, under the same filters, from files the sink serves', async (t) => {
    const sink = await sinkFor(t, { traceUrl: 'http://localhost:16686/trace/{traceId}' });
    const foreign: string[] = [];
    const { page, errors } = await open(t, sink);
    page.on('request', (request) => {
      if (!request.url().startsWith(sink.url)) foreign.push(request.url());
    });
    await page.reload();
    await page.waitForSelector('#status:has-text("live")');
    const { provider, tracer } = tracerProvider();
    t.after(() => provider.shutdown());
    const analytics = new Analytics({ writeKey: 'k', host: sink.url });
    const events = ['Product Viewed', 'Product Viewed', 'Product Added', 'Checkout Started', 'Order Completed'];
    // Over a few seconds, so the chart has more than one bar.
    for (let second = 0; second < 3; second++) {
      for (const [i, event] of events.entries()) {
        tracer.startActiveSpan(`GET /shop/${second}/${i}`, (span) => {
          analytics.track({ userId: `user-${i}`, event, properties: { sku: `SKU-${second}${i}` } });
          if (i === 0) analytics.identify({ userId: `user-${i}`, traits: { plan: 'pro' } });
          span.end();
        });
      }
      await analytics.flush();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await analytics.closeAndFlush();
    await post(sink, [{ type: 'track', userId: 'u', messageId: 'no-event' }]);
    const total = 3 * (events.length + 1) + 1;
    await untilShown(page, total);
    await page.waitForSelector(`#chart[data-total="${total}"] canvas`);
    assert.deepEqual((await page.getAttribute('#chart', 'data-series'))!.split('\n').sort(), ['identify', 'problems', 'track']);
    assert.equal(await page.textContent('#counts li[data-name="Product Viewed"] .count'), '6');
    assert.equal(await page.locator('#counts li[data-name="Product Viewed"] svg polyline').count(), 1);
    await page.selectOption('#chart-by', 'event');
    await page.waitForSelector('#chart[data-series*="Order Completed"]');
    await page.selectOption('#chart-by', 'type');
    await page.waitForSelector('#chart[data-series*="identify"]:not([data-series*="Product"])');
    await page.click('#spacer .row:not(.bad)[data-seq]');
    await page.screenshot({ path: join(shots, 'sink-debugger.png') });
    await page.selectOption('#f-type', 'identify');
    await untilShown(page, 3);
    await page.waitForSelector('#chart[data-total="3"]');
    assert.equal(await page.locator('#counts li').count(), 1, 'the counts follow the filters');
    await page.selectOption('#f-type', '');
    assert.deepEqual(foreign, [], 'the page asks nothing of any other origin');
    const asset = await fetch(`${sink.url}/assets/uplot.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type')!, /javascript/);
    assert.deepEqual(errors, []);
  });
});
