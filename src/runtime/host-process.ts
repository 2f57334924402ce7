/**
 * The parts of Node's `process` the core path reads, each of which a runtime may lack: Vercel Edge
 * has no `process` (Next.js gives it one with `env` only), Deno's has no `getBuiltinModule` before
 * 2.1. Read through here, never through the global, so that the core loads and runs on every runtime.
 */
export interface HostProcess {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly versions?: Readonly<Record<string, string | undefined>>;
  readonly on?: (event: 'beforeExit', listener: () => void) => unknown;
  readonly off?: (event: 'beforeExit', listener: () => void) => unknown;
  readonly getBuiltinModule?: (id: string) => unknown;
}

/** The runtime's `process`, or undefined where it has none. */
export function hostProcess(): HostProcess | undefined {
  return (globalThis as { process?: HostProcess }).process;
}

/**
 * A Node built-in module, through `process.getBuiltinModule` (Node 20.16+, Bun, Deno 2.1+, workerd
 * with `nodejs_compat`); undefined where the runtime has none (Vercel Edge). Bundlers do not follow
 * this call, so an edge bundle neither includes the module nor refuses to build for it: the feature
 * that needs it is what is missing there, not the whole package.
 */
export function builtinModule<T>(id: `node:${string}`): T | undefined {
  try {
    return hostProcess()?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    // Next.js's Edge `process` has every method of Node's, each throwing that it is unsupported.
    return undefined;
  }
}
