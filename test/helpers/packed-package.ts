import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** Compiled to <build dir>/test/helpers/: the repository is three levels up. */
export const REPO = join(__dirname, '..', '..', '..');
/** The repository's own TypeScript compiler, the one the build uses. */
export const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
/** Generous guard against a stalled child; nothing here measures time. */
export const CHILD_TIMEOUT_MILLIS = 45_000;
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The package as users get it, installed in a project of its own. */
export interface PackedPackage {
  /** The temporary directory holding the tarball and the consumer project. */
  readonly dir: string;
  readonly tarball: string;
  /** The consumer project: `node_modules/metarouter-otel` is the tarball, installed. */
  readonly consumer: string;
  /** Resolves once the consumer's `npm install` is done. */
  readonly installed: Promise<void>;
  /** Removes the directory (after the install settled). */
  remove(): Promise<void>;
}

/**
 * `npm pack` of the built repository (dist/ must exist: run after `npm run build`), then one
 * `npm install` of the tarball with `peers` (the API peer and the SDK packages a consumer's code
 * imports) into a consumer project. The npm cache is warm from the repository's own install, so
 * this needs no network when the versions match. The install runs in the background: `installed`
 * says when it is done, and never goes unhandled.
 */
export async function packAndInstall(peers: readonly string[]): Promise<PackedPackage> {
  for (const file of ['dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', 'dist/index.d.mts']) {
    if (!existsSync(join(REPO, file))) throw new Error(`${file} does not exist: this suite checks the built package; build it first (npm run build)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'metarouter-otel-pack-'));
  const { stdout } = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO, timeout: CHILD_TIMEOUT_MILLIS });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  const tarball = join(dir, packed!.filename);
  const consumer = join(dir, 'consumer');
  const installed = (async () => {
    await mkdir(join(consumer, 'src'), { recursive: true });
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await run(NPM, ['install', tarball, ...peers, '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], { cwd: consumer, timeout: CHILD_TIMEOUT_MILLIS });
  })();
  installed.catch(() => undefined);
  return {
    dir,
    tarball,
    consumer,
    installed,
    remove: async () => {
      await installed.catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
