import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/index.js';
import { LIBRARY } from '../../src/version.js';

// Compiled to build/test/package/: the repository is three levels up.
const read = (path: string) => readFileSync(join(__dirname, '..', '..', '..', path), 'utf8');

test('docs/errors.md lists every error code, and no code that does not exist', () => {
  const doc = read('docs/errors.md');
  for (const code of Object.keys(ERROR_CODES)) assert.ok(doc.includes(`\`${code}\``), `${code} is missing from docs/errors.md`);
  const documented = new Set(doc.match(/MR_ERR_[A-Z_]+/g));
  for (const code of documented) assert.ok(code in ERROR_CODES, `docs/errors.md names ${code}, which does not exist`);
});

test('context.library.version is the package version', () => {
  const pkg = JSON.parse(read('package.json')) as { name: string; version: string };
  assert.deepEqual({ ...LIBRARY }, { name: pkg.name, version: pkg.version });
});

test('the README documents every span-event attribute of the convention', async () => {
  const { ATTRIBUTES, OBJECT_ATTRIBUTES } = await import('../../src/index.js');
  const readme = read('README.md');
  for (const name of [...Object.values(ATTRIBUTES), ...Object.values(OBJECT_ATTRIBUTES)]) {
    assert.ok(readme.includes(`\`${name}\``), `${name} is missing from the README`);
  }
});
