import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

// Compiled to <build dir>/test/package/: the repository is three levels up.
const REPO = join(__dirname, '..', '..', '..');
const SRC = join(REPO, 'src');

interface Layer {
  readonly rank: number;
  readonly name: string;
  /** Folders under `src/` (`api`), or top-level files (`index.ts`). */
  readonly places: readonly string[];
}

/** The layer table of docs/architecture.md: `| rank | layer | places |` rows under "## Layers". */
function readLayers(doc: string): Layer[] {
  const section = doc.split(/^## Layers$/m)[1]?.split(/^## /m)[0];
  assert.ok(section !== undefined, 'docs/architecture.md has a "## Layers" section');
  const layers: Layer[] = [];
  for (const row of section.matchAll(/^\| (\d+) \| ([^|]+?) \| ([^|]+?) \|/gm)) {
    layers.push({ rank: Number(row[1]), name: row[2]!, places: [...row[3]!.matchAll(/`([^`]+)`/g)].map((place) => place[1]!.replace(/\/$/, '')) });
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * The relative modules a file loads at run time: static imports and re-exports (an `import type`
 * or `export type` leaves nothing in the built JavaScript, so it orders no loading) and dynamic
 * `import()`.
 */
function runtimeImports(text: string): string[] {
  const found: string[] = [];
  for (const statement of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?\sfrom\s+'(\.[^']+)'/gms)) {
    if (statement[2] === undefined) found.push(statement[3]!);
  }
  for (const dynamic of text.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) found.push(dynamic[1]!);
  return found;
}

/** A path under `src/`, as the table names it: its first folder, or the file itself at the top. */
function placeOf(path: string): string {
  return relative(SRC, path).split(/[\\/]/)[0]!;
}

/** Every import from one place to another that the table forbids: to a higher layer, or across siblings of one layer. */
function violations(layers: readonly Layer[], files: ReadonlyMap<string, string>): string[] {
  const rankOf = new Map(layers.flatMap((layer) => layer.places.map((place) => [place, layer.rank] as const)));
  const found: string[] = [];
  for (const [file, text] of files) {
    const from = placeOf(file);
    for (const specifier of runtimeImports(text)) {
      const target = join(file, '..', specifier.replace(/\.js$/, '.ts'));
      const to = placeOf(target);
      if (to === from) continue;
      const fromRank = rankOf.get(from);
      const toRank = rankOf.get(to);
      assert.ok(fromRank !== undefined, `src/${from} is in the layer table of docs/architecture.md`);
      assert.ok(toRank !== undefined, `src/${to} is in the layer table of docs/architecture.md`);
      if (toRank <= fromRank) found.push(`${relative(REPO, file)} → ${relative(REPO, target)}`);
    }
  }
  return found;
}

const layers = readLayers(readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8'));
const files = new Map(sourceFiles(SRC).map((file) => [file, readFileSync(file, 'utf8')] as const));

test('docs/architecture.md names a layer for every folder and top-level file of src/', () => {
  const named = new Set(layers.flatMap((layer) => layer.places));
  const present = new Set([...files.keys()].map(placeOf));
  assert.deepEqual([...present].filter((place) => !named.has(place)).sort(), []);
  assert.deepEqual([...named].filter((place) => !present.has(place)).sort(), [], 'the table names only places that exist');
});

test('no file of src/ imports from a higher layer, nor from a sibling folder of its own layer', () => {
  assert.deepEqual(violations(layers, files), []);
});

test('one assembly: only src/pipeline/ wires a pipeline (creates a delivery engine or a shaper)', () => {
  const wiring = /\/(create-delivery|create-shaper)\.js$/;
  const outside = [...files]
    .filter(([file]) => placeOf(file) !== 'pipeline')
    .flatMap(([file, text]) => runtimeImports(text).filter((specifier) => wiring.test(specifier)).map((specifier) => `${relative(REPO, file)} → ${specifier}`));
  assert.deepEqual(outside, []);
});

test('the check finds an upward import and a sibling import, and ignores type-only imports', () => {
  const table: Layer[] = [
    { rank: 1, name: 'faces', places: ['otel'] },
    { rank: 2, name: 'pipeline', places: ['shaping', 'delivery'] },
    { rank: 3, name: 'errors', places: ['errors'] },
  ];
  const made = new Map([
    [join(SRC, 'shaping', 'a.ts'), "import { x } from '../otel/x.js';\nimport { y } from '../delivery/y.js';\nimport type { Z } from '../otel/z.js';\n"],
    [join(SRC, 'delivery', 'b.ts'), "import { e } from '../errors/e.js';\nexport { x } from './x.js';\nconst late = () => import('../otel/late.js');\n"],
  ]);
  assert.deepEqual(violations(table, made), [
    'src/shaping/a.ts → src/otel/x.ts',
    'src/shaping/a.ts → src/delivery/y.ts',
    'src/delivery/b.ts → src/otel/late.ts',
  ]);
});
