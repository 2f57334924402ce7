// metarouter-otel with durable delivery (`storage`): the same call path as `metarouter.mjs`, plus
// the write of each message to the spool before the call returns. The spool lives in a fresh
// temporary directory, removed at the end of the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import metarouter from './metarouter.mjs';

export default {
  name: 'metarouter-durable',
  async create(settings) {
    const directory = mkdtempSync(path.join(tmpdir(), 'metarouter-bench-spool-'));
    const client = await metarouter.create({ ...settings, extraOptions: { storage: { directory } } });
    return {
      ...client,
      async finish(timeoutMillis) {
        try {
          return await client.finish(timeoutMillis);
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
      },
    };
  },
};
