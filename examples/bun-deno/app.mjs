// The same app on Bun and Deno as on Node: `bun run app.mjs` or `deno run -A app.mjs` from a folder
// where `npm install metarouter-otel` ran. Bun gets the package's fetch transport (its stand-in for
// undici does not send), Deno gets undici; both flush and exit by themselves.
//
//   METAROUTER_WRITE_KEY=… METAROUTER_HOST=http://127.0.0.1:8080 bun run app.mjs
import process from 'node:process';
import { Analytics } from 'metarouter-otel';

const analytics = new Analytics({ writeKey: process.env.METAROUTER_WRITE_KEY, host: process.env.METAROUTER_HOST, flushAt: 5 });
const errors = [];
analytics.on('error', (error) => errors.push(error.code));

const ids = [];
for (let step = 0; step < 12; step++) ids.push(analytics.track({ userId: 'user-1', event: 'Runtime Checked', properties: { step } }));
await analytics.flush();

// One line a script can read: what was sent, what failed, what the library counted as delivered.
console.log(JSON.stringify({ ids, errors, delivered: analytics.counters.delivered }));
