// A worker script (a cron job, a queue consumer, a migration): it records an event per job and
// simply ends, with no flush and no close. The package sends what is still queued as the process
// winds down, and none of its timers or sockets keeps the process alive.
//
// With METAROUTER_HOST set (e.g. `npx metarouter-otel sink`), this file is the worker. Without it,
// it starts a local sink, runs itself as the worker in a child process, and shows what arrived
// once the child has exited: a sink in the worker's own process would keep that process alive.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Analytics, startSink } from 'metarouter-otel';

if (process.env.METAROUTER_HOST) {
  const analytics = new Analytics({ writeKey: process.env.METAROUTER_WRITE_KEY || 'demo_source_id', host: process.env.METAROUTER_HOST });
  analytics.on('error', (error) => console.error(`delivery error ${error.code}: ${error.message}`));
  for (const job of [{ id: 'job-1', rows: 120 }, { id: 'job-2', rows: 0 }, { id: 'job-3', rows: 37 }]) {
    const messageId = analytics.track({ anonymousId: 'nightly-import', event: 'Import Job Finished', properties: { job: job.id, rows: job.rows } });
    console.log(`worker: ${job.id} done, messageId ${messageId}`);
  }
  // The end of the script. No flush, no close.
} else {
  const sink = await startSink({ port: 0, onLine: (line) => console.log(`sink received  ${line}`) });
  // The guard is shorter than the default flushInterval (10 s): a worker that only ended because a
  // timer fired would be killed, and reported here as not exiting on its own.
  const child = await new Promise((resolve) => {
    const options = { env: { ...process.env, METAROUTER_HOST: sink.url }, timeout: 9_000, killSignal: 'SIGKILL' };
    execFile(process.execPath, [fileURLToPath(import.meta.url)], options, (error, stdout, stderr) =>
      resolve({ code: error ? (error.signal ?? error.code ?? 1) : 0, stdout, stderr }),
    );
  });
  process.stdout.write(child.stdout + child.stderr);
  await sink.close();
  const sent = [...child.stdout.matchAll(/messageId (\S+)/g)].map((match) => match[1]);
  const arrived = sent.filter((id) => sink.messages.some((message) => message.messageId === id));
  const ok = child.code === 0 && sent.length === 3 && arrived.length === 3 && sink.messages.length === 3;
  console.log(`worker ${child.code === 'SIGKILL' ? 'did not exit on its own (killed)' : `exited on its own with ${child.code}`}; ${arrived.length} of its ${sent.length} messages delivered: ${ok ? 'OK' : 'MISMATCH'}`);
  process.exitCode = ok ? 0 : 1;
}
