// A loopback ingestion endpoint in a process of its own, so that its memory never mixes with the
// measured one. The parent drives it over IPC: { mode: 'up' | 'refuse' | '503' } switches what it
// does (refuse = not listening at all; the port is kept), { report: true } returns what it ingested.
// Message ids are `<prefix>-<n>`: the server counts ingestions per n in a compact byte array.
import { createServer } from 'node:http';

let counts = new Uint8Array(1 << 16);
let mode = 'up';
let port = 0;
let requests = 0;
let answered503 = 0;
let ingestedMessages = 0;
let malformed = 0;
/** After recovery: the last time an id below `watchBelow` was ingested (all of them queued before it). */
let watchBelow = -1;
let lastBelowAt = 0;
const sockets = new Set();

function count(n) {
  if (n >= counts.length) {
    const grown = new Uint8Array(Math.max(counts.length * 2, n + 1));
    grown.set(counts);
    counts = grown;
  }
  if (counts[n] < 255) counts[n]++;
}

function handle(request, response) {
  requests++;
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    if (mode === '503') {
      answered503++;
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"down"}');
      return;
    }
    let batch;
    try {
      batch = JSON.parse(Buffer.concat(chunks).toString('utf8')).batch;
    } catch {
      malformed++;
      response.writeHead(400).end('{"error":"malformed"}');
      return;
    }
    for (const message of batch) {
      const id = String(message.messageId);
      const n = Number(id.slice(id.lastIndexOf('-') + 1));
      count(n);
      ingestedMessages++;
      if (n < watchBelow) lastBelowAt = Date.now();
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

const server = createServer(handle);
server.keepAliveTimeout = 60_000;
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});

function listen() {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server.address().port)));
}

function stopListening() {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

port = await listen();
process.send({ port });

process.on('message', async (message) => {
  if (message.mode !== undefined) {
    const wasListening = mode !== 'refuse';
    if (message.mode === 'refuse' && wasListening) await stopListening();
    if (message.mode !== 'refuse' && !wasListening) await listen();
    mode = message.mode;
    if (message.watchBelow !== undefined) watchBelow = message.watchBelow;
    process.send({ mode });
  } else if (message.report === true) {
    process.send({ counts: Buffer.from(counts.buffer, 0, counts.length), requests, answered503, ingestedMessages, malformed, lastBelowAt });
  } else if (message.exit === true) {
    if (mode !== 'refuse') await stopListening();
    process.exit(0);
  }
});
