// Installed versions of the bench's own dependencies, read from bench/node_modules.
import { readFileSync } from 'node:fs';

/** The version of a package installed in bench/node_modules. */
export function installedVersion(name) {
  return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
}
