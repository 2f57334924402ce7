import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package; nothing ever downloads a browser. `.ci/run` installs it when missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, as the one line a skipped suite prints; undefined when
 * they can. Under `CI=true` a missing browser is never a reason to skip: the tests run and fail.
 */
export const browserSkipReason: string | undefined =
  existsSync(CHROMIUM) || process.env.CI === 'true'
    ? undefined
    : `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium to run these tests`;

/**
 * Flags for a headless Chromium on a closed network: without the background-networking ones it
 * keeps trying to reach its update and field-trial servers.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** One headless Chromium with a fresh profile, to share across the tests of a file. */
export async function launchBrowser(colorScheme: 'light' | 'dark' = 'light'): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} does not exist: the browser tests drive Debian's chromium (apt-get install -y chromium), or set CHROMIUM_PATH`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'metarouter-otel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 800 },
    colorScheme,
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
