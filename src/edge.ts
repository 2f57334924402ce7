// The entry bundlers pick for Cloudflare Workers and Vercel Edge (the `workerd`, `worker` and
// `edge-light` conditions): the core path only, with no reference to undici, storage, the sink, the
// bridge, replay or the PostgreSQL client, so none of them lands in the bundle. Those four functions are here with the
// Node entry's types and reject with a `ConfigurationError` saying where they run.

import { ConfigurationError } from './errors/metarouter-error.js';
import { nodeOnly } from './runtime/node-only.js';
import type { startBridge as nodeStartBridge } from './receiver/bridge.js';
import type { replay as nodeReplay } from './replay/replay.js';
import type { exportDeadLetters as nodeExportDeadLetters } from './replay/export-dead-letters.js';
import type { startSink as nodeStartSink } from './sink/sink-server.js';

export * from './core.js';

/** A function of the Node entry that rejects here, naming itself. */
function nodeOnlyFunction(name: string): () => Promise<never> {
  return () => Promise.reject(new ConfigurationError(name, nodeOnly(`\`${name}()\``)));
}

/** The local sink needs a server socket and a file system: Node, Bun and Deno only. */
export const startSink: typeof nodeStartSink = nodeOnlyFunction('startSink');
/** The OTLP bridge needs a server socket: Node, Bun and Deno only. */
export const startBridge: typeof nodeStartBridge = nodeOnlyFunction('startBridge');
/** Replay reads files: Node, Bun and Deno only. */
export const replay: typeof nodeReplay = nodeOnlyFunction('replay');
/** The fleet's dead letters are read with the PostgreSQL client into a file: Node, Bun and Deno only. */
export const exportDeadLetters: typeof nodeExportDeadLetters = nodeOnlyFunction('exportDeadLetters');
