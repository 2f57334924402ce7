/** Ajv's class and its formats plugin, as the Node entry hands them over. */
export interface AjvModules {
  readonly Ajv: typeof import('ajv').default;
  readonly addFormats: typeof import('ajv-formats').default;
}

let loadAjv: (() => AjvModules) | undefined;

/**
 * Called once, by the Node entry (`index.ts`) as it loads: how to load Ajv with the first tracking
 * plan. The edge entry never calls it (Ajv compiles a plan to generated code, which Cloudflare
 * Workers and Vercel Edge refuse to run), so Ajv stays out of an edge bundle.
 */
export function provideAjv(load: () => AjvModules): void {
  loadAjv = load;
}

/** Ajv's modules, loaded now; undefined through the edge entry. */
export function ajvModules(): AjvModules | undefined {
  return loadAjv?.();
}
