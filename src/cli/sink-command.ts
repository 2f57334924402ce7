import { startSink, type SinkFault, type SinkFaultKind } from '../index.js';
import { integer, text, UsageError, type Command } from './command-line.js';
import { errorLine, stopOnSignals, terminalText } from './output.js';

/** The `sink` command's table: its parser and its `--help`. */
export const SINK: Command = {
  name: 'sink',
  usage: 'sink [options]',
  summary: 'Run a local MetaRouter-compatible ingestion endpoint with a live debugger page',
  description: `Run a local MetaRouter-compatible ingestion endpoint (POST /v1/batch) for development. Each
message is printed on one line (time, type, user, event, trace id, and after '!' its problems);
the live debugger page is served at the root URL, printed at start.`,
  positionals: false,
  flags: [
    { name: 'port', value: 'N', help: 'port to listen on (default 8088; 0 picks one)' },
    { name: 'hostname', value: 'ADDR', help: 'address to listen on (default 127.0.0.1)' },
    { name: 'out', value: 'FILE', help: 'also append every message to FILE as NDJSON' },
    { name: 'token', value: 'T', help: 'require T for the debugger page (required off loopback)' },
    { name: 'trace-url', value: 'URL', help: 'make trace ids links, e.g. http://localhost:16686/trace/{traceId}' },
    { name: 'max-history', value: 'N', help: 'messages kept for the debugger (default 100000)' },
    { name: 'fault', value: 'KIND[:N]', help: 'answer the next N requests (default 1) with a fault:\n500, 429, 413, 401 or slow' },
    { name: 'retry-after', value: 'S', help: 'Retry-After of a simulated 429 (default 1)' },
    { name: 'slow-millis', value: 'MS', help: 'delay of a simulated slow answer (default 3000)' },
    { name: 'plan', value: 'FILE', help: 'mark the violations of this tracking plan (Segment JSON export)' },
  ],
};

function faultFlag(value: string | undefined): SinkFault | undefined {
  if (value === undefined) return undefined;
  const [kind, count, extra] = value.split(':');
  if (!['500', '429', '413', '401', 'slow'].includes(kind ?? '') || extra !== undefined) throw new UsageError(`--fault must be KIND[:N] with KIND 500, 429, 413, 401 or slow, got ${JSON.stringify(value)}`);
  return { kind: kind as SinkFaultKind, count: integer({ 'fault count': count }, 'fault count') ?? 1 };
}

/** `metarouter-otel sink`: runs until SIGINT or SIGTERM. */
export async function sinkCommand(values: Record<string, string | boolean | undefined>): Promise<void> {
  const port = integer(values, 'port') ?? 8088;
  if (port > 65535) throw new UsageError(`--port must be a port number, got ${port}`);
  const out = text(values, 'out');
  const running = await startSink({
    port,
    hostname: text(values, 'hostname'),
    out,
    token: text(values, 'token'),
    traceUrl: text(values, 'trace-url'),
    maxHistory: integer(values, 'max-history'),
    fault: faultFlag(text(values, 'fault')),
    retryAfterSeconds: integer(values, 'retry-after'),
    slowMillis: integer(values, 'slow-millis'),
    trackingPlan: text(values, 'plan'),
    // Already escaped by the sink (formatMessage): its parts come from whoever posted the batch.
    onLine: (line) => console.log(line),
  });
  running.on('error', (error) => errorLine('sink', `${error.code} ${error.message}`));
  console.log(`metarouter-otel sink listening on ${running.url}/v1/batch${out === undefined ? '' : ` (writing ${terminalText(out)})`}`);
  console.log(`live debugger: ${running.debuggerUrl}`);
  stopOnSignals('sink', () => running.close(), false);
}
