import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CHILD_TIMEOUT_MILLIS, packAndInstall, REPO, TSC, type PackedPackage } from '../helpers/packed-package.js';

// Every ```ts block of README.md and docs/*.md is type-checked, as a module of its own, against the
// package as users install it: a block that stops compiling fails here.
//
// A block that is deliberately not a whole module (a sketch, an excerpt) is skipped when the line
// right before its fence is `<!-- ts-fragment: why -->`. Keep that rare: readers copy these blocks.
// Free names the blocks use as givens (`writeKey`, `myLogger`, the `Analytics` class imported and
// an `analytics` made in an earlier block) are declared once in PRELUDE below; a block that
// declares or imports one itself shadows it.

const run = promisify(execFile);
const FRAGMENT_MARK = /^<!--\s*ts-fragment:.+-->$/;

/** The givens of the docs' blocks, as an app would have them. */
const PRELUDE = `
import type { Span } from '@opentelemetry/api';
import type * as metarouter from 'metarouter-otel';

interface AppLogger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  warn(message: string): void;
  error(fields: object, message?: string): void;
}

declare global {
  const writeKey: string;
  const host: string;
  const token: string;
  const userId: string;
  const previousId: string;
  const myLogger: AppLogger;
  const log: AppLogger;
  const Analytics: typeof metarouter.Analytics;
  const analytics: metarouter.Analytics;
  const sink: metarouter.Sink;
  const span: Span;
  const plan: metarouter.TrackingPlanSource;
}
`;

/**
 * What \`metarouter-otel plan types\` writes, for the README's \`import { typed } from './tracking-plan.js'\`:
 * a small plan with the event that block tracks.
 */
const TRACKING_PLAN_MODULE = `
import { typedAnalytics, type Analytics, type TypedAnalytics } from 'metarouter-otel';
export const plan = {
  rules: [
    {
      type: 'TRACK',
      key: 'Order Completed',
      jsonSchema: {
        type: 'object',
        properties: { properties: { type: 'object', properties: { orderId: { type: 'string' }, revenue: { type: 'number' } }, required: ['orderId'] } },
      },
    },
  ],
} as const;
export function typed(analytics: Analytics): TypedAnalytics<typeof plan> {
  return typedAnalytics(analytics, plan);
}
`;

interface Block {
  /** Where it is, as `docs/migration.md:108` (the line of its opening fence). */
  readonly where: string;
  readonly line: number;
  readonly file: string;
  readonly source: string;
}

/** The ```ts blocks of one Markdown file, fragments left out. */
function tsBlocks(markdown: string, file: string): { blocks: Block[]; fragments: string[] } {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  const fragments: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[index]!)) continue;
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !lines[index]!.startsWith('```'); index++) body.push(lines[index]!);
    const where = `${file}:${start + 1}`;
    if (FRAGMENT_MARK.test(lines[start - 1]?.trim() ?? '')) fragments.push(where);
    else blocks.push({ where, line: start + 1, file, source: `${body.join('\n')}\n` });
  }
  return { blocks, fragments };
}

function docsBlocks(): { blocks: Block[]; fragments: string[] } {
  const files = ['README.md', ...readdirSync(join(REPO, 'docs')).filter((name) => name.endsWith('.md')).sort().map((name) => `docs/${name}`)];
  const all = files.map((file) => tsBlocks(readFileSync(join(REPO, file), 'utf8'), file));
  return { blocks: all.flatMap((found) => found.blocks), fragments: all.flatMap((found) => found.fragments) };
}

let packed: PackedPackage;

before(async () => {
  packed = await packAndInstall(['@opentelemetry/api@~1.9.0', '@opentelemetry/sdk-logs@^0.223.0', '@opentelemetry/sdk-trace-base@^2.0.0', '@opentelemetry/context-async-hooks@^2.0.0']);
});

after(async () => {
  await packed?.remove();
});

test('the fence reader finds ts blocks with their lines, and skips a block marked as a fragment', () => {
  const markdown = ['# t', '```ts', 'const a = 1;', '```', '<!-- ts-fragment: an excerpt -->', '```ts', 'a.b(', '```', '```sh', 'ls', '```'].join('\n');
  const { blocks, fragments } = tsBlocks(markdown, 'x.md');
  assert.deepEqual(blocks.map(({ where, source }) => ({ where, source })), [{ where: 'x.md:2', source: 'const a = 1;\n' }]);
  assert.deepEqual(fragments, ['x.md:6']);
});

test('every ```ts block of README.md and docs/ type-checks against the installed package (one tsc run)', { timeout: 120_000 }, async () => {
  const { blocks } = docsBlocks();
  assert.ok(blocks.length >= 15, `found ${blocks.length} ts blocks: the reader still finds the docs' blocks`);
  await packed.installed;
  const dir = join(packed.consumer, 'doc-blocks');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(dir, 'prelude.d.ts'), PRELUDE);
  await writeFile(join(dir, 'tracking-plan.ts'), TRACKING_PLAN_MODULE);
  const byName = new Map<string, Block>();
  for (const block of blocks) {
    const name = `${block.file.replace(/[^A-Za-z0-9]+/g, '_')}_L${block.line}.ts`;
    byName.set(name, block);
    await writeFile(join(dir, name), block.source);
  }
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        moduleDetection: 'force',
        strict: true,
        noEmit: true,
        // The package's declarations are checked by packaging.test.ts; here, the blocks' use of them.
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      files: ['prelude.d.ts', 'tracking-plan.ts', ...byName.keys()],
    }),
  );
  const { stdout } = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, timeout: CHILD_TIMEOUT_MILLIS }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? 'tsc failed without output' }),
  );
  // A diagnostic names its file and line: say which doc and line it is.
  const problems = stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const found = /^([^(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
      const block = found === null ? undefined : byName.get(found[1]!);
      return block === undefined ? line : `${block.file}:${block.line + Number(found![2])} (block at ${block.where}): ${found![4]}`;
    });
  assert.deepEqual(problems, [], 'every TypeScript example in the docs compiles');
});
