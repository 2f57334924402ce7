// Storage on Bun and Deno: messages a refusing server does not take wait in the spool directory, and
// the next run on that directory sends them. Run it once with the server down (it tracks COUNT
// messages and closes with a short deadline), then with COUNT=0 once the server is back.
//
//   METAROUTER_WRITE_KEY=… METAROUTER_HOST=http://127.0.0.1:8080 SPOOL_DIR=./spool COUNT=20 bun run storage.mjs
import process from 'node:process';
import { Analytics } from 'metarouter-otel';

const count = Number(process.env.COUNT ?? '20');
const analytics = new Analytics({
  writeKey: process.env.METAROUTER_WRITE_KEY,
  host: process.env.METAROUTER_HOST,
  storage: { directory: process.env.SPOOL_DIR ?? 'spool' },
});
const errors = [];
analytics.on('error', (error) => errors.push(error.code));

const ids = [];
for (let step = 0; step < count; step++) ids.push(analytics.track({ userId: 'user-1', event: 'Spooled', properties: { step } }));
// With the server down the deadline passes and what is unsent stays on disk for the next run.
await analytics.closeAndFlush({ timeout: Number(process.env.CLOSE_TIMEOUT_MILLIS ?? '10000') });

console.log(JSON.stringify({ ids, errors: [...new Set(errors)], delivered: analytics.counters.delivered }));
