import type { openStorage } from '../pipeline/node-storage.js';
import type { HttpTransport } from '../transport/http-transport.js';

/**
 * What only the package entry for Node, Bun and Deno provides: the parts that need a file system,
 * undici, or code generation (Ajv). That entry hands them over when it loads; the entry bundlers pick for Cloudflare Workers
 * and Vercel Edge never references them, so their code (and undici's) stays out of an edge bundle,
 * and asking for one there is a `ConfigurationError` that says so ({@link nodeOnly}).
 */
export interface NodeFeatures {
  /** undici's transport, loaded at its first use (not at the package's import: it is most of that time). */
  readonly loadHttpTransport: () => typeof HttpTransport;
  /** The spool (`storage`) and the dead-letter file (`deadLetterFile`) beneath a delivery. */
  readonly openStorage: typeof openStorage;
  /** Ajv and its formats, loaded with the first tracking plan. */
  readonly loadAjv: () => { readonly Ajv: typeof import('ajv').default; readonly addFormats: typeof import('ajv-formats').default };
}

let provided: NodeFeatures | undefined;

/** Called once, by the Node entry (`index.ts`), as it loads. */
export function provideNodeFeatures(features: NodeFeatures): void {
  provided = features;
}

/** The Node-only parts, or undefined when this copy of the package was loaded through its edge entry. */
export function nodeFeatures(): NodeFeatures | undefined {
  return provided;
}

/** The text of the `ConfigurationError` for a Node-only feature asked for through the edge entry. */
export function nodeOnly(feature: string): string {
  return `${feature} is available on Node, Bun and Deno only: this runtime loaded the package's edge entry (Cloudflare Workers, Vercel Edge), which leaves out the file system, undici and Ajv`;
}
