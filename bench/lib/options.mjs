// Flags shared by run.mjs, curves.mjs and profile.mjs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MAX_SIZE, MIN_SIZE } from './generator.mjs';

export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = path.dirname(BENCH_DIR);

const COMMON = {
  count: { type: 'string', default: '100000' },
  size: { type: 'string', default: '360' },
  seed: { type: 'string', default: '42' },
  'flush-at': { type: 'string', default: '700' },
  'posthog-batch': { type: 'string', default: '840' },
  budget: { type: 'string', default: '15' },
  timeout: { type: 'string', default: '180' },
  'lib-dir': { type: 'string', default: 'dist' },
  warm: { type: 'string', default: '0' },
  'our-defaults': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
};

/** Reads `text` (digits, `_` separators, optional k / m suffix) as an integer in [min, max]. */
export function parseInteger(text, name, min, max = Number.MAX_SAFE_INTEGER) {
  const clean = String(text).trim().replace(/_/g, '');
  const n = /^\d+(k|m)?$/i.test(clean) ? Number.parseInt(clean, 10) * ({ k: 1e3, m: 1e6 }[clean.slice(-1).toLowerCase()] ?? 1) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  return n;
}

function integer(values, name, min, max) {
  return parseInteger(values[name], name, min, max);
}

/** Parses the common flags plus `extra` (parseArgs option specs); returns { settings, values }. */
export function parseFlags(argv, extra, usage) {
  const { values } = parseArgs({ args: argv, options: { ...COMMON, ...extra }, allowPositionals: false });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const libDir = path.resolve(REPO_DIR, values['lib-dir']);
  if (!existsSync(path.join(libDir, 'index.js'))) throw new Error(`no built library at ${values['lib-dir']}/index.js: run \`npm run build\` first (or pass --lib-dir)`);
  const settings = {
    count: integer(values, 'count', 1),
    size: integer(values, 'size', MIN_SIZE, MAX_SIZE),
    seed: integer(values, 'seed', 0, 2 ** 32 - 1),
    flushAt: integer(values, 'flush-at', 1),
    posthogBatch: integer(values, 'posthog-batch', 1),
    budgetMillis: integer(values, 'budget', 0) * 1000,
    timeoutMillis: integer(values, 'timeout', 20) * 1000,
    warmCalls: integer(values, 'warm', 0),
    ourDefaults: values['our-defaults'],
    libDir,
  };
  return { settings, values, integer: (name, min, max) => integer(values, name, min, max) };
}

/** The command line as typed from the repository root, for the record. */
export function commandLine(script) {
  return ['node', `bench/${script}`, ...process.argv.slice(2)].join(' ');
}
