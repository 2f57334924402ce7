import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { SinkFaultKind } from '../config/sink-options.js';
import { SINK_FAULT_KINDS, type SinkConfig } from '../config/resolve-sink-options.js';
import { mayView } from './access.js';
import { EventStream } from './event-stream.js';
import type { FaultPlan } from './fault-plan.js';
import { logBacklog, logPieces } from './log-backlog.js';
import type { MessageLog } from './message-log.js';
import { writePaced } from './paced-response.js';
import type { RequestLog } from './request-log.js';

/** What the debugger's routes read and change. */
export interface DebuggerParts {
  readonly config: SinkConfig;
  readonly log: MessageLog;
  readonly requests: RequestLog;
  readonly faults: FaultPlan;
  readonly stream: EventStream;
  /** This run of the sink, new at every start: message numbers restart with it. */
  readonly instance: string;
}

/**
 * The page's files: our own beside this module in the package, the chart library from the
 * installed `uplot` package (a dependency, so it is wherever npm put it), found when first served.
 * Nothing comes from a CDN: the page works offline.
 */
const ASSETS: Readonly<Record<string, { path: () => string; type: string }>> = Object.freeze({
  '/': { path: () => join(__dirname, 'page', 'index.html'), type: 'text/html; charset=utf-8' },
  '/assets/app.js': { path: () => join(__dirname, 'page', 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { path: () => join(__dirname, 'page', 'app.css'), type: 'text/css; charset=utf-8' },
  '/assets/uplot.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/assets/uplot.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
});
let loaded: Map<string, Buffer> | undefined;
function asset(path: string): Buffer {
  loaded ??= new Map(Object.entries(ASSETS).map(([route, { path: locate }]) => [route, readFileSync(locate())]));
  return loaded.get(path)!;
}

/**
 * The page may only run our own files: even if a payload's text reached the document as markup, no
 * inline script, handler or foreign resource would run.
 */
const PAGE_HEADERS = Object.freeze({
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', ...PAGE_HEADERS }).end(JSON.stringify(body));
}

/**
 * `/api/state`: everything but the history first, then the history (up to the `lastSeq` it names)
 * as the client reads it. Made into one string, the history (up to 100,000 messages) would be held
 * whole for every client that asks and does not read.
 */
function writeState(response: ServerResponse, { config, log, requests, faults, instance }: DebuggerParts): void {
  const lastSeq = log.lastSeq;
  const head = JSON.stringify({
    instance,
    config: { traceUrl: config.traceUrl ?? null, maxHistory: config.maxHistory, faultKinds: SINK_FAULT_KINDS },
    lastSeq,
    requests: requests.list(),
    fault: faults.state ?? null,
  });
  const pieces = logPieces(log, 0, lastSeq);
  let opened = false;
  let closed = false;
  response.writeHead(200, { 'content-type': 'application/json', ...PAGE_HEADERS });
  writePaced(response, () => {
    if (closed) return undefined;
    const piece = pieces();
    if (piece === undefined) {
      closed = true;
      return `${opened ? '' : `${head.slice(0, -1)},"entries":[`}]}`;
    }
    const text = `${opened ? ',' : `${head.slice(0, -1)},"entries":[`}${piece.texts.join(',')}`;
    opened = true;
    return text;
  });
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 4096) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

async function armFault(request: IncomingMessage, response: ServerResponse, faults: FaultPlan, stream: EventStream): Promise<void> {
  // A JSON content type cannot be sent cross-origin without a preflight, which the sink never grants.
  if (!/^application\/json\b/.test(request.headers['content-type'] ?? '')) return json(response, 415, { error: 'send application/json' });
  const body = (await readJson(request)) as { kind?: unknown; count?: unknown } | undefined;
  const count = body?.count ?? 1;
  if (!SINK_FAULT_KINDS.includes(body?.kind as SinkFaultKind) || typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1 || count > 1_000_000) {
    return json(response, 400, { error: `expected {"kind": one of ${SINK_FAULT_KINDS.join(', ')}, "count": 1 to 1000000}` });
  }
  faults.arm(body!.kind as SinkFaultKind, count);
  stream.publish('faults', faults.state ?? null);
  json(response, 200, { fault: faults.state ?? null });
}

/** Serves the debugger (page, state, event stream, fault controls); false when the route is not one of its own. */
export async function serveDebugger(request: IncomingMessage, response: ServerResponse, url: URL, parts: DebuggerParts): Promise<boolean> {
  const { config, log, faults, stream } = parts;
  const route = url.pathname;
  const isAsset = route in ASSETS && route !== '/';
  if (!isAsset && route !== '/' && !route.startsWith('/api/')) return false;
  if (isAsset) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const body = asset(route);
    response.writeHead(200, { 'content-type': ASSETS[route]!.type, ...PAGE_HEADERS }).end(body);
    return true;
  }
  if (!mayView(request, url, config.token)) {
    json(response, 401, { error: config.token === undefined ? 'the debugger answers loopback host names only' : 'the debugger needs ?token=' });
    return true;
  }
  const method = request.method ?? 'GET';
  if (route === '/' && (method === 'GET' || method === 'HEAD')) {
    const body = asset('/');
    response.writeHead(200, { 'content-type': ASSETS['/']!.type, ...PAGE_HEADERS }).end(body);
  } else if (route === '/api/state' && method === 'GET') {
    writeState(response, parts);
  } else if (route === '/api/stream' && method === 'GET') {
    if (stream.full) {
      json(response, 503, { error: 'too many debugger pages are connected' });
      return true;
    }
    // A reconnecting EventSource says what it saw last; a fresh page says so in `after`. The hello
    // names this sink's run: a page that knew another one (the sink restarted) loads afresh.
    const after = Number(request.headers['last-event-id'] ?? url.searchParams.get('after') ?? log.lastSeq);
    const hello = EventStream.format('hello', { instance: parts.instance });
    stream.open(response, hello, Number.isSafeInteger(after) && after < log.lastSeq ? logBacklog(log, after) : undefined);
  } else if (route === '/api/faults' && method === 'POST') {
    await armFault(request, response, faults, stream);
  } else if (route === '/api/faults' && method === 'DELETE') {
    faults.disarm();
    stream.publish('faults', null);
    json(response, 200, { fault: null });
  } else {
    json(response, 404, { error: 'no such debugger route' });
  }
  return true;
}
