import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { DeliveryError } from '../../src/errors/metarouter-error.js';
import { Spool, type SpooledRecord, type SpoolIo } from '../../src/storage/spool.js';

/**
 * A temporary root for the calling test file, removed after its tests. Returns a function that
 * names a new, not yet created directory under it, so that each test opens its own spool.
 */
export function spoolDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `metarouter-otel-${prefix}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  let dirs = 0;
  return () => join(root, `d${dirs++}`);
}

/** A spool over `directory`, fsync on every write, with what it reports collected in `errors`. */
export function openSpool(directory: string, options: { maxBytes?: number; io?: Partial<SpoolIo> } = {}): { spool: Spool; errors: DeliveryError[] } {
  const errors: DeliveryError[] = [];
  const settings = { directory, maxBytes: options.maxBytes ?? 4 * 1024 * 1024, syncInterval: 0, io: options.io };
  return { spool: new Spool(settings, (error) => errors.push(error)), errors };
}

/** Every record the spool still holds, read in batches of 7 so that reads cross batch ends. */
export function readAll(spool: Spool): SpooledRecord[] {
  const records: SpooledRecord[] = [];
  for (let batch = spool.read(7); batch.length > 0; batch = spool.read(7)) records.push(...batch);
  return records;
}
