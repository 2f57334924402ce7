import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CHILD_TIMEOUT_MILLIS, packAndInstall, REPO, TSC } from '../helpers/packed-package.js';

// The package as users get it: `npm pack` of the built repository, installed from the tarball into
// a project of its own, with the API peer it names and the SDK packages whose pipelines our
// exporters plug into.
const run = promisify(execFile);
const BIN = {
  attw: join(REPO, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'),
  tsc: TSC,
};

let dir: string;
let tarball: string;
let consumer: string;
/** The one `npm install` of the suite, started as soon as the tarball exists and awaited by the tests that need it. */
let installed: Promise<void>;
let remove: (() => Promise<void>) | undefined;

before(async () => {
  ({ dir, tarball, consumer, installed, remove } = await packAndInstall(['@opentelemetry/api@~1.9.0', '@opentelemetry/sdk-logs@^0.223.0', '@opentelemetry/sdk-trace-base@^2.0.0']));
});

after(async () => {
  await remove?.();
});

test('the tarball holds the entry points, types, CLI and docs, and no source maps or tests', async () => {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  const files = stdout.split('\n').filter((line) => line !== '');
  for (const file of ['package/package.json', 'package/README.md', 'package/dist/index.js', 'package/dist/index.mjs', 'package/dist/index.d.ts', 'package/dist/index.d.mts', 'package/dist/cli/main.js', 'package/docs/errors.md', 'package/dist/sink/page/index.html', 'package/dist/sink/page/app.js', 'package/dist/sink/page/app.css']) {
    assert.ok(files.includes(file), `${file} is in the tarball`);
  }
  assert.deepEqual(files.filter((file) => /\.map$|\/test\/|\/src\/.*\.ts$|^package\/build/.test(file)), [], 'nothing but the build, docs and README');
});

test('publint finds nothing wrong with the packed tarball (strict: warnings count as errors)', async () => {
  const { publint } = (await import('publint')) as typeof import('publint', { with: { 'resolution-mode': 'import' } });
  const data = await readFile(tarball);
  const { messages } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer },
    level: 'warning',
    strict: true,
  });
  assert.deepEqual(
    messages.map(({ code, path, type }) => ({ code, path: path.join('.'), type })),
    [],
  );
});

interface AttwReport {
  problems: Record<string, unknown[]> | unknown[];
  analysis: { entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
}

test('are-the-types-wrong: every entry point resolves with types and no problem in node10, node16 (CJS and ESM) and bundler', async () => {
  // attw exits non-zero when it finds problems; the JSON report is printed either way.
  const outcome = await run(process.execPath, [BIN.attw, '--pack', tarball, '--format', 'json'], { cwd: dir, timeout: CHILD_TIMEOUT_MILLIS }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  const report = JSON.parse(outcome.stdout) as AttwReport;
  const problems = Array.isArray(report.problems) ? report.problems : Object.values(report.problems).flat();
  assert.deepEqual(problems, []);
  const entrypoints = Object.entries(report.analysis.entrypoints);
  assert.deepEqual(entrypoints.map(([subpath]) => subpath).sort(), ['.', './package.json']);
  for (const [subpath, { resolutions }] of entrypoints) {
    assert.deepEqual(Object.keys(resolutions).sort(), ['bundler', 'node10', 'node16-cjs', 'node16-esm'], `${subpath}: the four resolution modes were checked`);
    for (const [mode, { resolution }] of Object.entries(resolutions)) assert.ok(resolution?.fileName, `${subpath} resolves in ${mode}`);
  }
});

/** What each child prints: the names each entry point exports, whether they are the same objects, and a delivery. */
const PROBE = `
const names = (module) => Object.keys(module).filter((name) => name !== 'default' && name !== '__esModule').sort();
async function probe(cjs, esm) {
  const shared = names(cjs).filter((name) => name in esm);
  const sink = await esm.startSink({ port: 0 });
  const analytics = new cjs.Analytics({ writeKey: 'consumer-key', host: sink.url });
  const messageId = analytics.track({ userId: 'u-1', event: 'Installed' });
  await analytics.closeAndFlush();
  const chart = await fetch(sink.url + '/assets/uplot.js');
  const chartAsset = chart.status === 200 && (await chart.text()).includes('uPlot');
  await sink.close();
  return {
    cjs: names(cjs),
    esm: names(esm),
    identical: shared.every((name) => cjs[name] === esm[name]),
    crossInstanceof: new esm.ValidationError('MR_ERR_MISSING_FIELD', 'event', 'x') instanceof cjs.MetaRouterError,
    delivered: sink.messages.map((message) => message.messageId).join() === messageId,
    chartAsset,
  };
}
`;

interface Probe {
  cjs: string[];
  esm: string[];
  identical: boolean;
  crossInstanceof: boolean;
  delivered: boolean;
  chartAsset: boolean;
}

async function runProbe(file: string, source: string): Promise<Probe> {
  await installed;
  await writeFile(join(consumer, file), source);
  const { stdout, stderr } = await run(process.execPath, [file], { cwd: consumer, timeout: CHILD_TIMEOUT_MILLIS });
  assert.equal(stderr, '', `${file} printed nothing to stderr`);
  return JSON.parse(stdout) as Probe;
}

function assertProbe(probe: Probe, label: string): void {
  assert.ok(probe.cjs.includes('Analytics') && probe.cjs.includes('MetaRouterLogRecordExporter') && probe.cjs.includes('startSink'), `${label}: the public names are exported`);
  assert.deepEqual(probe.esm, probe.cjs, `${label}: import and require expose the same names`);
  assert.ok(probe.identical, `${label}: import and require give the same objects (one copy of the package in a process)`);
  assert.ok(probe.crossInstanceof, `${label}: an error made through one entry point is instanceof the other's MetaRouterError`);
  assert.ok(probe.delivered, `${label}: the installed package delivered a call to a loopback sink`);
  assert.ok(probe.chartAsset, `${label}: the sink serves the debugger's chart library from the installed dependency`);
}

test('the installed tarball can be required from CommonJS (and imported from it)', async () => {
  const source = `${PROBE}\nimport('metarouter-otel').then((esm) => probe(require('metarouter-otel'), esm)).then((result) => process.stdout.write(JSON.stringify(result)));\n`;
  assertProbe(await runProbe('probe.cjs', source), 'probe.cjs');
});

test('the installed tarball can be imported from an ES module (and required from it)', async () => {
  const source = `import { createRequire } from 'node:module';\nimport * as esm from 'metarouter-otel';\n${PROBE}\nprocess.stdout.write(JSON.stringify(await probe(createRequire(import.meta.url)('metarouter-otel'), esm)));\n`;
  assertProbe(await runProbe('probe.mjs', source), 'probe.mjs');
});

/** A consumer's TypeScript, identical in both module formats: the facade, params types, exporters in SDK pipelines, errors. */
const CONSUMER_TS = `
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  Analytics,
  ConfigurationError,
  DeliveryError,
  MetaRouterError,
  MetaRouterLogRecordExporter,
  MetaRouterSpanExporter,
  ValidationError,
  type AnalyticsOptions,
  type DeliveryOptions,
  type ErrorCode,
  type IdentifyParams,
  type TrackParams,
} from 'metarouter-otel';

const destination: DeliveryOptions = { writeKey: 'consumer-key', host: 'https://e.example.com', flushAt: 20, compression: 'gzip' };
const logExporter: LogRecordExporter = new MetaRouterLogRecordExporter(destination);
const spanExporter: SpanExporter = new MetaRouterSpanExporter(destination);
const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: logExporter })] });
export const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spanExporter)] });

const options: AnalyticsOptions = { ...destination, loggerProvider, spanEvents: false };
const analytics = new Analytics(options);

const track: TrackParams = { userId: 42, event: 'Signed Up', properties: { plan: 'pro' } };
const messageId: string = analytics.track(track);
const identify: IdentifyParams = { anonymousId: 'anon-1', traits: { name: 'Arthur Dent' } };
analytics.identify(identify);
analytics.alias({ userId: 'u-1', previousId: 'anon-1' });
// @ts-expect-error a call needs userId or anonymousId
analytics.track({ event: 'Nobody' });
// @ts-expect-error track needs event
analytics.track({ userId: 'u-1' });

analytics.on('error', (error) => {
  const code: ErrorCode = error.code;
  if (error instanceof DeliveryError) {
    const ids: readonly string[] = error.messageIds;
    void ids;
  }
  void code;
});

export function describe(error: unknown): string {
  if (error instanceof ValidationError) return error.field;
  if (error instanceof ConfigurationError) return error.option;
  if (error instanceof MetaRouterError) return error.code;
  return 'unknown';
}

export const closed: Promise<void> = analytics.closeAndFlush({ timeout: 1000 }).then(() => void messageId);
`;

test('a TypeScript consumer type-checks against the installed package, as an .mts and as a .cts (moduleResolution node16)', { timeout: 60_000 }, async () => {
  await installed;
  await writeFile(join(consumer, 'src', 'consumer.mts'), CONSUMER_TS);
  await writeFile(join(consumer, 'src', 'consumer.cts'), CONSUMER_TS);
  await writeFile(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        noEmit: true,
        // Our declaration files are checked too, not just the consumer's use of them.
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      files: ['src/consumer.mts', 'src/consumer.cts'],
    }),
  );
  // One compiler run: --listFiles prints every file it read (paths), then the diagnostics (the other lines).
  const { stdout } = await run(process.execPath, [BIN.tsc, '-p', 'tsconfig.json', '--pretty', 'false', '--listFiles'], { cwd: consumer, timeout: CHILD_TIMEOUT_MILLIS }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? 'tsc failed without output' }),
  );
  const lines = stdout.split('\n').filter((line) => line !== '');
  const files = lines.filter((line) => line.startsWith('/'));
  // Each consumer resolves its own entry: the .mts the ESM declarations, the .cts the CommonJS ones.
  assert.ok(files.some((file) => file.endsWith('node_modules/metarouter-otel/dist/index.d.mts')), 'the .mts consumer sees dist/index.d.mts');
  assert.ok(files.some((file) => file.endsWith('node_modules/metarouter-otel/dist/index.d.ts')), 'the .cts consumer sees dist/index.d.ts');
  assert.deepEqual(lines.filter((line) => !line.startsWith('/')), [], 'tsc reports no error');
});
