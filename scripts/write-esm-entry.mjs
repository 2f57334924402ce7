// Writes the ESM entries (dist/index.mjs, dist/edge.mjs) and their types: each re-exports its
// CommonJS build by name, so `import` and `require` share one copy of the package (one queue, one
// exit hook) in a process.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);

for (const entry of ['index', 'edge']) {
  const names = Object.keys(require(`../dist/${entry}.js`)).filter((name) => name !== '__esModule').sort();
  writeFileSync(
    new URL(`../dist/${entry}.mjs`, import.meta.url),
    `import cjs from './${entry}.js';\n\nexport const {\n${names.map((name) => `  ${name},`).join('\n')}\n} = cjs;\n`,
  );
  writeFileSync(new URL(`../dist/${entry}.d.mts`, import.meta.url), `export * from './${entry}.js';\n`);
}
