// Writes dist/index.mjs and dist/index.d.mts: the ESM entry re-exports the CommonJS build by name,
// so `import` and `require` share one copy of the package (one queue, one exit hook) in a process.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const names = Object.keys(require('../dist/index.js')).filter((name) => name !== '__esModule').sort();

writeFileSync(
  new URL('../dist/index.mjs', import.meta.url),
  `import cjs from './index.js';\n\nexport const {\n${names.map((name) => `  ${name},`).join('\n')}\n} = cjs;\n`,
);
writeFileSync(new URL('../dist/index.d.mts', import.meta.url), `export * from './index.js';\n`);
