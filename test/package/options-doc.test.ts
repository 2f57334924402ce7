import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DEFAULTS } from '../../src/index.js';

// Compiled to <build dir>/test/package/: the repository is three levels up.
const REPO = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(REPO, path), 'utf8');

interface Property {
  name: string;
  typeName: string;
  optional: boolean;
  text: string;
  defaultText: string | undefined;
}
interface Source {
  path: string;
  text: string;
}
interface Generator {
  SOURCES: readonly string[];
  TARGET: string;
  readSources(): Source[];
  FACTS_TARGET: string;
  renderOptionsDoc(sources?: Source[]): string;
  renderOptionFacts(sources?: Source[]): string;
  readOptions(sourceText: string, fileName: string): { interfaces: Array<{ name: string; properties: Property[] }> };
}

const generator = (): Promise<Generator> => import(pathToFileURL(join(REPO, 'scripts', 'write-options-doc.mjs')).href) as Promise<Generator>;

test('docs/options.md is what scripts/write-options-doc.mjs makes of the TSDoc (run npm run docs:options after changing an option)', async () => {
  const { renderOptionsDoc, TARGET } = await generator();
  assert.equal(read(TARGET), renderOptionsDoc());
});

test("src/config/option-docs.ts, from which the CLI's option flags take their help, is what the generator makes of the same TSDoc", async () => {
  const { renderOptionFacts, FACTS_TARGET } = await generator();
  assert.equal(read(FACTS_TARGET), renderOptionFacts());
});

test('the generator takes every property from the TSDoc: a new option appears with its type, default and meaning', async () => {
  const { renderOptionsDoc, readSources } = await generator();
  const sources = readSources().map(({ path, text }) => ({
    path,
    text: text.replace('export interface DeliveryOptions {', 'export interface DeliveryOptions {\n  /**\n   * Seconds of made-up\n   * patience.\n   * @default 42\n   */\n  patienceSeconds?: number | string;'),
  }));
  const page = renderOptionsDoc(sources);
  assert.match(page, /^\| `patienceSeconds` \| `number \\\| string` \| `42` \| Seconds of made-up patience\. \|$/m);
  assert.notEqual(page, renderOptionsDoc(), 'so a stale page fails the test above');
});

test('every @default in the TSDoc of the options is the value DEFAULTS holds', async () => {
  const { readOptions, readSources } = await generator();
  const defaults: Record<string, unknown> = { ...DEFAULTS, timeout: DEFAULTS.closeTimeout, maxBytes: DEFAULTS.storageMaxBytes, syncInterval: DEFAULTS.storageSyncInterval, whenFull: DEFAULTS.storageWhenFull };
  const bridge: Record<string, unknown> = { port: DEFAULTS.bridgePort, hostname: DEFAULTS.bridgeHostname, maxBodyBytes: DEFAULTS.bridgeMaxBodyBytes, retryAfterSeconds: DEFAULTS.bridgeRetryAfterSeconds };
  let checked = 0;
  for (const { name: owner, properties } of readSources().flatMap(({ path, text }) => readOptions(text, path).interfaces)) {
    // exportDeadLetters() removes only when told (`remove === true`).
    const table: Record<string, unknown> = owner === 'SinkOptions' ? DEFAULTS.sink : owner === 'BridgeOptions' ? bridge : owner === 'QueueOptions' ? DEFAULTS.queue : owner === 'DeadLetterExportOptions' ? { remove: false } : defaults;
    for (const { name, defaultText } of properties) {
      if (defaultText === undefined || !/^(-?[\d_.]+|'[^']*'|true|false)$/.test(defaultText)) continue; // described defaults are prose
      const literal = defaultText.startsWith("'") ? defaultText.slice(1, -1) : (JSON.parse(defaultText.replace(/_/g, '')) as unknown);
      assert.equal(table[name], literal, `${name}: TSDoc says ${defaultText}, DEFAULTS says ${String(table[name])}`);
      checked += 1;
    }
  }
  assert.ok(checked >= 10, `the literal defaults were found (${checked})`);
});

test('the page has a section for the options of every entry point, and each names the options types it joins', () => {
  const page = read('docs/options.md');
  for (const name of ['AnalyticsOptions', 'ExporterOptions', 'BridgeOptions', 'SinkOptions', 'ReplayOptions', 'DeliveryOptions', 'ShapingOptions', 'ResourceIdentityOptions']) {
    assert.match(page, new RegExp(`^## ${name}$`, 'm'), name);
  }
  assert.match(page, /^## BridgeOptions\n\n.*\n\nAlso takes every option of \[DeliveryOptions\]\(#deliveryoptions\), \[ShapingOptions\]\(#shapingoptions\), \[ResourceIdentityOptions\]\(#resourceidentityoptions\)\.$/m);
  assert.match(page, /^## ExporterOptions\n\n.*\n\nEvery option of \[DeliveryOptions\]\(#deliveryoptions\), \[ShapingOptions\]\(#shapingoptions\), \[ResourceIdentityOptions\]\(#resourceidentityoptions\)\.$/m);
  assert.match(page, /^\| `retryAfterSeconds` \| `number` \| `5` \|/m, "the bridge's own options are listed");
  assert.match(page, /^\| `file` \(required\) \| `string` \| — \|/m, "replay's own options are listed");
});
