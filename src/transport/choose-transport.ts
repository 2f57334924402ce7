import { ConfigurationError } from '../errors/metarouter-error.js';
import { hostProcess } from '../runtime/host-process.js';
import { nodeOnly } from '../runtime/node-only.js';
import { FetchTransport } from './fetch-transport.js';
import type { HttpTransport } from './http-transport.js';
import type { Transport, TransportOptions } from './transport-result.js';

let loadUndici: (() => typeof HttpTransport) | undefined;

/**
 * Called once, by the Node entry (`index.ts`) as it loads: how to load undici's transport at its first
 * use (not at the package's import: it is most of that time). The edge entry never calls it.
 */
export function provideHttpTransport(load: () => typeof HttpTransport): void {
  loadUndici = load;
}

/** undici's transport, loaded on first use (so a runtime that cannot run undici never loads it), or undefined where undici cannot load. */
function loadHttpTransport(load: () => typeof HttpTransport): typeof HttpTransport | undefined {
  try {
    return load();
  } catch {
    return undefined;
  }
}

/**
 * The undici transport on Node, and whenever the user passed a `dispatcher` (an undici object);
 * the runtime's `fetch` on Bun (whose stand-in `undici` module does not send), wherever undici
 * cannot load, and through the edge entry, which has no undici (a `dispatcher` there is a
 * `ConfigurationError`).
 */
export function chooseTransport(options: TransportOptions, versions: Readonly<Record<string, string | undefined>> = hostProcess()?.versions ?? {}): Transport {
  if (options.dispatcher !== undefined) {
    if (loadUndici === undefined) throw new ConfigurationError('dispatcher', nodeOnly('`dispatcher` (an undici object)'));
    return new (loadUndici())(options);
  }
  if (loadUndici === undefined || typeof versions.bun === 'string') return new FetchTransport(options);
  const Undici = loadHttpTransport(loadUndici);
  return Undici === undefined ? new FetchTransport(options) : new Undici(options);
}
