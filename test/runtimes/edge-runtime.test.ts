import assert from 'node:assert/strict';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import * as assertModule from 'node:assert';
import * as bufferModule from 'node:buffer';
import { builtinModules } from 'node:module';
import * as eventsModule from 'node:events';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import * as utilModule from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Metafile, Plugin } from 'esbuild';
import type { EdgeRuntime } from 'edge-runtime';
import { startFaultServer, reply, OK, type FaultServer } from '../helpers/fault-server.js';
import { packAndInstall, REPO, type PackedPackage } from '../helpers/packed-package.js';

const WRITE_KEY = 'edge-key';
const REJECTED_KEY = 'edge-rejected';
const REQUESTS = 6;

/**
 * The modules Next.js gives code on the Edge runtime, and the names it picks of each (its sandbox's
 * `require`); any other Node built-in fails there when used.
 */
const EDGE_MODULES: Readonly<Record<string, object>> = {
  buffer: pick(bufferModule, ['constants', 'kMaxLength', 'kStringMaxLength', 'Buffer', 'SlowBuffer']),
  events: pick(eventsModule, ['EventEmitter', 'captureRejectionSymbol', 'defaultMaxListeners', 'errorMonitor', 'listenerCount', 'on', 'once']),
  async_hooks: { AsyncLocalStorage, AsyncResource },
  assert: assertModule,
  util: pick(utilModule, ['_extend', 'callbackify', 'format', 'inherits', 'promisify', 'types']),
};

function pick(module: object, names: readonly string[]): object {
  return Object.fromEntries(names.map((name) => [name, (module as Record<string, unknown>)[name]]));
}

/**
 * Node built-ins as Next.js bundles them for the Edge runtime: the five it provides stay external
 * (loaded by the sandbox's `require`); any other becomes a module that throws when used.
 */
const nextEdgeBuiltins: Plugin = {
  name: 'next-edge-builtins',
  setup(bundle) {
    const names = builtinModules.filter((name) => !name.startsWith('_')).map((name) => name.replace(/[/]/g, '\\/'));
    bundle.onResolve({ filter: new RegExp(`^(node:)?(${names.join('|')})$`) }, ({ path }) => {
      const name = path.replace(/^node:/, '');
      return name in EDGE_MODULES ? { path: `node:${name}`, external: true } : { path: name, namespace: 'edge-unsupported' };
    });
    bundle.onLoad({ filter: /.*/, namespace: 'edge-unsupported' }, ({ path }) => ({
      contents: `module.exports = new Proxy({}, { get() { throw new Error("The edge runtime does not support Node.js '${path}' module."); } });`,
    }));
  },
};

/** Vercel's emulator and the bundler, from the devDependencies `edge-runtime` and `esbuild`; undefined when they are not installed. */
let tools: { readonly EdgeRuntime: typeof EdgeRuntime; readonly build: typeof import('esbuild').build } | undefined;

async function loadTools(): Promise<typeof tools> {
  try {
    return { EdgeRuntime: (await import('edge-runtime')).EdgeRuntime, build: (await import('esbuild')).build };
  } catch {
    return undefined;
  }
}

/** Skips the test where the devDependencies are missing; under CI=true that is a broken setup, and fails. */
function needTools(t: TestContext): boolean {
  if (tools !== undefined) return true;
  if (process.env.CI === 'true') assert.fail('edge-runtime or esbuild is missing: npm ci installs both (devDependencies)');
  t.skip('edge-runtime or esbuild is not installed: run npm install (both are devDependencies)');
  return false;
}

/** Bundles `entry` of the consumer project as Next.js does for the Edge runtime. */
async function bundleForEdge(entry: string, minify = false): Promise<{ code: string; metafile: Metafile }> {
  const result = await tools!.build({
    entryPoints: [join(packed.consumer, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['edge-light', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    minify,
    logLevel: 'silent',
    plugins: [nextEdgeBuiltins],
  });
  return { code: result.outputFiles[0]!.text, metafile: result.metafile };
}

/** The platform's side of a route handler (Next.js's adapter, Vercel's request context), then a few checks the test calls. */
const APP = `import { Analytics, startBridge, startSink, replay } from 'metarouter-otel';
import { GET } from './app/route.mjs';

const requestContext = new AsyncLocalStorage();
globalThis[Symbol.for('@vercel/request-context')] = { get: () => requestContext.getStore() };
addEventListener('fetch', (event) => {
  event.respondWith(requestContext.run({ waitUntil: (promise) => event.waitUntil(promise) }, () => GET(event.request)));
});

const refusal = (error) => ({ name: error.name, code: error.code, option: error.option, message: error.message });
globalThis.edgeChecks = {
  async rejected(host) {
    const analytics = new Analytics({ writeKey: '${REJECTED_KEY}', host });
    const reported = [];
    analytics.on('error', (error) => reported.push({ code: error.code, messageIds: error.messageIds }));
    const messageId = analytics.track({ userId: 'u', event: 'Refused Here' });
    await analytics.flush();
    return { messageId, reported };
  },
  async nodeOnly(host) {
    const refused = {};
    const options = { storage: { storage: { directory: 'spool' } }, deadLetterFile: { deadLetterFile: 'dead.ndjson' }, dispatcher: { dispatcher: { request() {} } },
      trackingPlan: { trackingPlan: { rules: [{ key: 'Order Completed', type: 'TRACK', version: 1, jsonSchema: { type: 'object', properties: { properties: { type: 'object', properties: { total: { type: 'number' } } } } } }] } },
    };
    for (const [name, extra] of Object.entries(options)) {
      try {
        new Analytics({ writeKey: 'k', host, ...extra });
        refused[name] = 'accepted';
      } catch (error) {
        refused[name] = refusal(error);
      }
    }
    for (const [name, start] of Object.entries({ startSink, startBridge, replay })) refused[name] = await start({}).then(() => 'started', refusal);
    return refused;
  },
};
`;

let packed: PackedPackage;
let server: FaultServer;
let bundled: { code: string; metafile: Metafile };

before(async () => {
  tools = await loadTools();
  if (tools === undefined) return;
  packed = await packAndInstall(['@opentelemetry/api@~1.9.0', '@opentelemetry/context-async-hooks@^2.12.1', '@opentelemetry/sdk-trace-base@^2.12.1']);
  server = await startFaultServer((request) => (request.headers.authorization === `Basic ${Buffer.from(`${REJECTED_KEY}:`).toString('base64')}` ? reply(400, { body: 'invalid' }) : OK));
  await packed.installed;
  await mkdir(join(packed.consumer, 'app'), { recursive: true });
  for (const file of ['route.mjs', 'instrumentation.mjs', 'wait-until.mjs']) await copyFile(join(REPO, 'examples', 'edge', file), join(packed.consumer, 'app', file));
  await writeFile(join(packed.consumer, 'edge-app.mjs'), APP);
  await writeFile(join(packed.consumer, 'least.mjs'), `import { Analytics } from 'metarouter-otel';\nglobalThis.analytics = new Analytics({ writeKey: 'k', host: 'https://e.metarouter.io' });\n`);
  bundled = await bundleForEdge('edge-app.mjs');
});

after(async () => {
  await server?.close();
  await packed?.remove();
});

interface EdgeApp {
  readonly runtime: EdgeRuntime;
  /** Timers the code in the runtime started and that neither fired nor were cleared. */
  readonly pendingTimers: Set<unknown>;
  /** What the code printed with console.warn or console.error. */
  readonly warnings: string[];
}

/**
 * The bundle in Vercel's Edge runtime emulator, with what Next.js adds to it: `require` for the
 * modules above, a `process` with `env` only (its other members throw), `AsyncLocalStorage`.
 * `CompressionStream` only when asked: the emulator has none.
 */
function startEdgeApp(options: { compressionStream: boolean }): EdgeApp {
  const pendingTimers = new Set<unknown>();
  const warnings: string[] = [];
  const runtime = new tools!.EdgeRuntime({
    extend: (edgeContext) => {
      const context = edgeContext as unknown as Record<string, unknown>;
      const env = { METAROUTER_WRITE_KEY: WRITE_KEY, METAROUTER_HOST: server.url };
      const edgeProcess: Record<string, unknown> = { env };
      for (const key of Object.keys(process)) {
        if (typeof (process as unknown as Record<string, unknown>)[key] === 'function') {
          edgeProcess[key] = () => {
            throw new Error(`A Node.js API is used (process.${key}) which is not supported in the Edge Runtime.`);
          };
        }
      }
      Object.defineProperty(context, 'require', {
        value: (id: string) => {
          const module = EDGE_MODULES[id.replace(/^node:/, '')];
          if (module === undefined) throw new TypeError(`Native module not found: ${id}`);
          return module;
        },
      });
      context.process = edgeProcess;
      context.AsyncLocalStorage = AsyncLocalStorage;
      if (options.compressionStream) context.CompressionStream = CompressionStream;
      const { setTimeout: set, clearTimeout: clear } = context as { setTimeout: (callback: () => void, millis?: number) => unknown; clearTimeout: (id: unknown) => void };
      context.setTimeout = (callback: () => void, millis?: number) => {
        const id: unknown = set(() => {
          pendingTimers.delete(id);
          callback();
        }, millis);
        pendingTimers.add(id);
        return id;
      };
      context.clearTimeout = (id: unknown) => {
        pendingTimers.delete(id);
        clear(id);
      };
      const edgeConsole = context.console as Record<string, unknown>;
      context.console = { ...edgeConsole, warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')), error: (...args: unknown[]) => warnings.push(args.map(String).join(' ')) };
      return edgeContext;
    },
  });
  runtime.evaluate(bundled.code);
  return { runtime, pendingTimers, warnings };
}

interface RouteAnswer {
  readonly messageIds: string[];
  readonly traceId: string;
  readonly spanId: string;
}

/** Calls the route `REQUESTS` times at once, as concurrent requests, and waits for what each handed to waitUntil. */
async function callRoute(app: EdgeApp): Promise<RouteAnswer[]> {
  const responses = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => app.runtime.dispatchFetch(`http://edge.test/api/report?user=user-${i}&report=r${i}`)));
  const answers = await Promise.all(responses.map(async (response) => {
    assert.equal(response.status, 200);
    return (await response.json()) as RouteAnswer;
  }));
  await Promise.all(responses.map((response) => response.waitUntil()));
  return answers;
}

/** Waits (boundedly) until the runtime's code has no timer left: the deadline and drain timers end a little after the answer. */
async function timersSettled(app: EdgeApp): Promise<number> {
  for (let turn = 0; turn < 200 && app.pendingTimers.size > 0; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
  return app.pendingTimers.size;
}

test('the edge bundle holds no undici, Ajv, storage, sink, bridge or replay code, and no Node built-in that Edge lacks', (t) => {
  if (!needTools(t)) return;
  const inputs = Object.keys(bundled.metafile.inputs);
  const ours = inputs.filter((input) => input.includes('node_modules/metarouter-otel/'));
  assert.ok(ours.some((input) => input.endsWith('dist/edge.mjs')), 'the edge-light condition picks the edge entry');
  assert.deepEqual(ours.filter((input) => /\/(storage|sink|receiver|replay)\/|http-transport|node-storage|dist\/index\./.test(input)), []);
  assert.deepEqual(inputs.filter((input) => /node_modules\/(undici|ajv|ajv-formats)\//.test(input)), [], 'no undici, and no Ajv (Edge refuses generated code)');
  assert.deepEqual(inputs.filter((input) => input.startsWith('edge-unsupported:')), [], 'no module of the bundle needs a Node built-in the Edge runtime lacks');
  const external = new Set(Object.values(bundled.metafile.outputs).flatMap((output) => output.imports.filter((each) => each.external).map((each) => each.path)));
  for (const path of external) assert.ok(path.replace(/^node:/, '') in EDGE_MODULES, `${path} is one of the modules Edge provides`);
});

test('on Vercel Edge (edge-runtime), a route delivers every message once through waitUntil(flush()), with its trace ids, and leaves no timer running', { timeout: 120_000 }, async (t) => {
  if (!needTools(t)) return;
  const app = startEdgeApp({ compressionStream: false });
  const before = server.requests.length;
  const answers = await callRoute(app);
  const sent = server.requests.slice(before);
  const arrived = sent.flatMap((request) => request.body?.batch ?? []);
  const ids = answers.flatMap((answer) => answer.messageIds);
  assert.equal(ids.length, REQUESTS * 2);
  assert.deepEqual(arrived.map((message) => message.messageId).sort(), [...ids].sort(), 'every messageId arrives once');
  for (const answer of answers) {
    for (const id of answer.messageIds) {
      const message = arrived.find((each) => each.messageId === id)!;
      assert.deepEqual((message.context as { otel?: { traceId: string; spanId: string } }).otel, { traceId: answer.traceId, spanId: answer.spanId }, 'made inside the span, before and after an await');
    }
  }
  assert.match(answers[0]!.traceId, /^[0-9a-f]{32}$/);
  // The emulator has no CompressionStream: gzip is not claimed, the body goes as it is.
  assert.ok(sent.every((request) => request.headers['content-encoding'] === undefined && request.parseError === undefined));
  assert.equal(sent[0]!.headers.authorization, `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`);
  assert.deepEqual(app.warnings, []);
  assert.equal(await timersSettled(app), 0, 'no timer of the package is left once the flushes settled');
});

test('on Vercel Edge with CompressionStream (as on Vercel), compression: gzip sends gzipped bodies', { timeout: 120_000 }, async (t) => {
  if (!needTools(t)) return;
  const app = startEdgeApp({ compressionStream: true });
  const before = server.requests.length;
  const answers = await callRoute(app);
  const sent = server.requests.slice(before);
  assert.ok(sent.length > 0 && sent.every((request) => request.headers['content-encoding'] === 'gzip' && request.parseError === undefined && request.rawBytes < Buffer.byteLength(request.text!)));
  assert.deepEqual(sent.flatMap((request) => request.messageIds).sort(), answers.flatMap((answer) => answer.messageIds).sort());
  assert.equal(await timersSettled(app), 0);
});

test('on Vercel Edge, a rejected batch reaches the error listener with its messageId, and flush() resolves', { timeout: 60_000 }, async (t) => {
  if (!needTools(t)) return;
  const app = startEdgeApp({ compressionStream: false });
  const { messageId, reported } = JSON.parse((await app.runtime.evaluate(`edgeChecks.rejected(${JSON.stringify(server.url)}).then(JSON.stringify)`)) as string) as { messageId: string; reported: Array<{ code: string; messageIds: string[] }> };
  assert.deepEqual(reported, [{ code: 'MR_ERR_REJECTED', messageIds: [messageId] }]);
  assert.equal(await timersSettled(app), 0);
});

test('through the edge entry, storage, deadLetterFile, dispatcher, a tracking plan, the sink, the bridge and replay are refused with a ConfigurationError saying where they run', { timeout: 60_000 }, async (t) => {
  if (!needTools(t)) return;
  const app = startEdgeApp({ compressionStream: false });
  const refused = JSON.parse((await app.runtime.evaluate(`edgeChecks.nodeOnly(${JSON.stringify(server.url)}).then(JSON.stringify)`)) as string) as Record<string, { name: string; code: string; option: string; message: string } | string>;
  for (const [name, outcome] of Object.entries(refused)) {
    assert.equal(typeof outcome, 'object', `${name}: ${String(outcome)}`);
    const error = outcome as { name: string; code: string; message: string };
    assert.equal(error.name, 'ConfigurationError', name);
    assert.equal(error.code, 'MR_ERR_INVALID_OPTION', name);
    assert.match(error.message, /available on Node, Bun and Deno only/, name);
  }
  assert.deepEqual(Object.keys(refused).sort(), ['deadLetterFile', 'dispatcher', 'replay', 'startBridge', 'startSink', 'storage', 'trackingPlan']);
});

test('bundle size for the Edge runtime: an app that only makes an Analytics, minified', async (t) => {
  if (!needTools(t)) return;
  const { code, metafile } = await bundleForEdge('least.mjs', true);
  const bytes = Buffer.byteLength(code);
  const gzipped = gzipSync(code).length;
  const ours = Object.entries(metafile.inputs).filter(([input]) => input.includes('node_modules/metarouter-otel/'));
  t.diagnostic(`minified bundle: ${bytes} bytes (${gzipped} gzipped); inputs of metarouter-otel: ${ours.length} files, ${ours.reduce((sum, [, input]) => sum + input.bytes, 0)} bytes before minifying`);
  assert.ok(bytes > 0);
});
