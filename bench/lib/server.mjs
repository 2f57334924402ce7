// The loopback ingestion server the drivers deliver to. It speaks each peer's wire format:
//   Segment / MetaRouter / Rudder: POST {host}/v1/batch  {"batch":[...], ...}        (gzip or not)
//   PostHog:                       POST {host}/batch/    {"api_key", "batch":[...]}  (gzip or not)
// answers 200 as soon as a body is read, and counts messages, bytes and duplicates for the run
// whose id is the first path segment (`/r<id>/...`), so a late request of an earlier run never
// counts in the next one. Duplicates are counted twice over: by the generator's `properties.seq`
// (unique per call, whatever the library) and by the library's own id (messageId / uuid).
import { createServer } from 'node:http';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip);
const now = () => performance.timeOrigin + performance.now();

function newRun(id) {
  return {
    id,
    requests: 0,
    wireBytes: 0,
    jsonBytes: 0,
    messages: 0,
    unique: 0,
    duplicates: 0,
    duplicatesById: 0,
    withoutSeq: 0,
    badRequests: 0,
    inFlight: 0,
    maxInFlight: 0,
    connections: 0,
    firstMessageAt: undefined,
    lastUniqueAt: undefined,
    lastMessageAt: undefined,
    cpuAtStart: process.cpuUsage(),
    seen: new Uint8Array(1 << 16),
    ids: new Set(),
  };
}

function record(run, message) {
  run.messages++;
  const seq = message?.properties?.seq;
  const id = message?.messageId ?? message?.uuid;
  if (typeof id === 'string') {
    if (run.ids.has(id)) run.duplicatesById++;
    else run.ids.add(id);
  }
  if (!Number.isInteger(seq) || seq < 0) {
    run.withoutSeq++;
    return;
  }
  if (seq >= run.seen.length) {
    let length = run.seen.length;
    while (length <= seq) length *= 2;
    const grown = new Uint8Array(length);
    grown.set(run.seen);
    run.seen = grown;
  }
  if (run.seen[seq] === 0) {
    run.seen[seq] = 1;
    run.unique++;
    run.lastUniqueAt = now();
  } else {
    run.duplicates++;
  }
}

/** The counters of a run, without its bookkeeping. */
export function summarize(run) {
  const { seen: _seen, ids: _ids, inFlight: _inFlight, cpuAtStart, ...rest } = run;
  const cpu = process.cpuUsage(cpuAtStart);
  // The parent's CPU over the run (mostly this server decoding bodies): if it nears the run's
  // wall time, the server, not the library, limits events/s.
  return { ...rest, serverCpuMillis: (cpu.user + cpu.system) / 1000 };
}

/**
 * Starts the server on 127.0.0.1, port 0. Returns `{ url(runId), beginRun(), endRun(), close() }`;
 * `url(runId)` is the host to give every library for that run.
 */
export async function startIngestionServer() {
  let current = newRun(0);
  let stale = 0;
  const server = createServer((request, response) => {
    const match = /^\/r(\d+)(\/.*)$/.exec(request.url ?? '');
    const run = match !== null && Number(match[1]) === current.id ? current : undefined;
    const chunks = [];
    let wire = 0;
    if (run !== undefined) {
      run.requests++;
      run.inFlight++;
      run.maxInFlight = Math.max(run.maxInFlight, run.inFlight);
    }
    request.on('data', (chunk) => {
      chunks.push(chunk);
      wire += chunk.length;
    });
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '16' });
      response.end('{"success":true}');
      if (run === undefined) {
        stale++;
        return;
      }
      run.inFlight--;
      run.wireBytes += wire;
      const path = match[2];
      if (request.method !== 'POST' || !(path === '/v1/batch' || path.startsWith('/batch'))) return;
      const raw = Buffer.concat(chunks, wire);
      const gzipped = (request.headers['content-encoding'] ?? '').includes('gzip');
      const decode = gzipped ? gunzipAsync(raw) : Promise.resolve(raw);
      decode.then(
        (body) => {
          run.jsonBytes += body.length;
          const parsed = JSON.parse(body.toString('utf8'));
          if (run.firstMessageAt === undefined) run.firstMessageAt = now();
          run.lastMessageAt = now();
          for (const message of parsed.batch ?? []) record(run, message);
        },
        () => run.badRequests++,
      ).catch(() => run.badRequests++);
    });
    request.on('error', () => {
      if (run !== undefined) {
        run.inFlight--;
        run.badRequests++;
      }
    });
  });
  server.on('connection', () => current.connections++);
  server.keepAliveTimeout = 30_000;
  server.requestTimeout = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  let nextId = 1;
  return {
    url: (runId) => `http://127.0.0.1:${port}/r${runId}`,
    /** Starts counting for a new run; returns its id. */
    beginRun() {
      current = newRun(nextId++);
      return current.id;
    },
    /** The live counters of the current run. */
    get current() {
      return current;
    },
    get staleRequests() {
      return stale;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
