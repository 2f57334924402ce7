import { FetchTransport } from './fetch-transport.js';
import type { HttpTransport } from './http-transport.js';
import type { Transport, TransportOptions } from './transport-result.js';

type HttpTransportModule = { HttpTransport: typeof HttpTransport };

/** undici's transport, loaded on first use (so a runtime that cannot run undici never loads it), or undefined where undici cannot load. */
function loadHttpTransport(): HttpTransportModule | undefined {
  try {
    return require('./http-transport.js') as HttpTransportModule;
  } catch {
    return undefined;
  }
}

/**
 * The undici transport on Node, and whenever the user passed a `dispatcher` (an undici object);
 * the runtime's `fetch` on Bun (whose stand-in `undici` module does not send) and wherever undici
 * cannot load.
 */
export function chooseTransport(options: TransportOptions, versions: NodeJS.ProcessVersions = process.versions): Transport {
  if (options.dispatcher !== undefined) return new (require('./http-transport.js') as HttpTransportModule).HttpTransport(options);
  if (typeof versions.bun === 'string') return new FetchTransport(options);
  const undici = loadHttpTransport();
  return undici === undefined ? new FetchTransport(options) : new undici.HttpTransport(options);
}
