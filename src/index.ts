import { openStorage } from './pipeline/node-storage.js';
import { provideNodeFeatures } from './runtime/node-features.js';
import type { HttpTransport } from './transport/http-transport.js';

export * from './core.js';
export { startSink } from './sink/sink-server.js';
export { startBridge } from './receiver/bridge.js';
export { replay } from './replay/replay.js';
export { exportDeadLetters } from './replay/export-dead-letters.js';

// The Node entry (also Bun's and Deno's): storage; undici loaded when the first delivery is made,
// Ajv with the first tracking plan.
provideNodeFeatures({
  loadHttpTransport: () => (require('./transport/http-transport.js') as { HttpTransport: typeof HttpTransport }).HttpTransport,
  openStorage,
  loadAjv: () => ({ Ajv: (require('ajv') as typeof import('ajv')).default, addFormats: (require('ajv-formats') as typeof import('ajv-formats')).default }),
});
