import { builtinModules } from 'node:module';
import { build, type Plugin } from 'esbuild';

/** Node built-ins by either name (`fs`, `node:fs`), as wrangler matches them. */
const NODE_BUILTIN = new RegExp(`^(node:)?(${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})$`);
const REQUIRED_BUILTIN = 'required-node-builtin';

/**
 * What wrangler's bundler does under `nodejs_compat` for the modules workerd provides: `node:*`
 * (and bare built-in names) stay imports of the runtime's modules; a `require()` of one, which an
 * ES module cannot make at run time, becomes a module that imports it and exports it as CommonJS.
 * `cloudflare:*` modules are the runtime's own. A built-in Node lists but workerd lacks fails to
 * load in workerd, where wrangler would substitute unenv's polyfill: our bundles must need none.
 */
const workerdModules: Plugin = {
  name: 'workerd-modules',
  setup(bundler) {
    bundler.onResolve({ filter: /^cloudflare:/ }, (args) => ({ path: args.path, external: true }));
    bundler.onResolve({ filter: NODE_BUILTIN }, (args) => {
      const path = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      return args.kind === 'require-call' ? { path, namespace: REQUIRED_BUILTIN } : { path, external: true };
    });
    bundler.onLoad({ filter: /.*/, namespace: REQUIRED_BUILTIN }, (args) => ({
      contents: `import builtin from '${args.path}';\nmodule.exports = builtin;\n`,
      loader: 'js',
    }));
  },
};

/**
 * Bundles a module-syntax worker as `wrangler deploy` does (its `bundleWorker`): one ES module,
 * ES2022, the `workerd`, `worker` and `browser` export conditions, names kept, `.js` read as JSX,
 * built-ins left to the runtime. Returns the bundle's path.
 */
export async function bundleWorker(entry: string, outfile: string, workingDir: string): Promise<string> {
  await build({
    entryPoints: [entry],
    absWorkingDir: workingDir,
    outfile,
    bundle: true,
    format: 'esm',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    keepNames: true,
    loader: { '.js': 'jsx', '.mjs': 'jsx', '.cjs': 'jsx' },
    plugins: [workerdModules],
    logLevel: 'silent',
  });
  return outfile;
}
