import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigurationError } from '../errors/metarouter-error.js';
import type { ReplayOptions } from './replay-options.js';
import { invalidPath } from './validate.js';

/** The files of a replay after defaults and validation. */
export interface ReplayFiles {
  readonly file: string;
  readonly progressPath: string | false;
  readonly failedFile: string | undefined;
  readonly dryRun: boolean;
}

/** Throws a ConfigurationError unless `file` is a readable file (a directory would fail later, raw). */
function checkReadable(file: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (statSync(file).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (error) {
    throw invalidPath('file', 'a readable NDJSON file', file, error);
  }
}

/**
 * Checks `file`, `progressFile` and `failedFile` of `replay()` (the delivery options are checked by
 * `resolveDeliveryOptions`): three different paths, the first readable. Throws `ConfigurationError`
 * naming the option.
 */
export function resolveReplayFiles(given: Partial<ReplayOptions>): ReplayFiles {
  const { file, dryRun = false } = given;
  if (typeof file !== 'string' || file === '') throw new ConfigurationError('file', `file is invalid, expected a path, actual ${typeof file}`);
  checkReadable(file);
  const progressPath = given.progressFile === undefined ? `${file}.replay-progress` : given.progressFile;
  if (progressPath !== false && (typeof progressPath !== 'string' || progressPath === '' || resolve(progressPath) === resolve(file))) {
    throw new ConfigurationError('progressFile', `progressFile is invalid, expected a path other than file, or false, actual ${JSON.stringify(progressPath)}`);
  }
  const failedFile = given.failedFile;
  if (failedFile !== undefined && (typeof failedFile !== 'string' || failedFile === '' || [file, progressPath].some((other) => typeof other === 'string' && resolve(other) === resolve(failedFile)))) {
    throw new ConfigurationError('failedFile', `failedFile is invalid, expected a path other than file and progressFile, actual ${JSON.stringify(failedFile)}`);
  }
  return { file, progressPath, failedFile, dryRun };
}
