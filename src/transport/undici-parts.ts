import type { buildConnector as BuildConnector, Dispatcher, Pool as UndiciPool } from 'undici';

/** The three pieces of undici the Node transport uses. */
export interface UndiciParts {
  readonly Pool: typeof UndiciPool;
  readonly buildConnector: typeof BuildConnector;
  /** `Dispatcher.prototype.request`, called with a dispatcher as `this`. */
  readonly request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
}

let parts: UndiciParts | undefined;

/**
 * Loads only the modules of undici that a pool, its connector and `request` need. Its entry point
 * also loads fetch, WebSocket, the cache, cookies and the mock agents: about two thirds of its load
 * time, paid at every cold start for nothing. These paths are the ones undici's own `index.js`
 * loads; if a release moves them, the whole package is loaded instead, as before.
 */
export function undiciParts(): UndiciParts {
  parts ??= loadParts();
  return parts;
}

function loadParts(): UndiciParts {
  try {
    return {
      Pool: require('undici/lib/dispatcher/pool.js') as typeof UndiciPool,
      buildConnector: require('undici/lib/core/connect.js') as typeof BuildConnector,
      request: require('undici/lib/api/api-request.js') as UndiciParts['request'],
    };
  } catch {
    const undici = require('undici') as typeof import('undici');
    return { Pool: undici.Pool, buildConnector: undici.buildConnector, request: undici.Dispatcher.prototype.request as UndiciParts['request'] };
  }
}
