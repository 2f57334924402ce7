import { DEFAULTS, startSink, type SinkFault, type SinkFaultKind } from '../index.js';
import { integer, text, UsageError, type Command } from './command-line.js';
import { optionFlag } from './option-flag.js';
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
    optionFlag({ name: 'port', value: 'N' }, 'SinkOptions', 'port'),
    optionFlag({ name: 'hostname', value: 'ADDR' }, 'SinkOptions', 'hostname'),
    optionFlag({ name: 'out', value: 'FILE' }, 'SinkOptions', 'out'),
    optionFlag({ name: 'token', value: 'T', more: '(required off loopback)' }, 'SinkOptions', 'token'),
    optionFlag({ name: 'trace-url', value: 'URL' }, 'SinkOptions', 'traceUrl'),
    optionFlag({ name: 'max-history', value: 'N' }, 'SinkOptions', 'maxHistory'),
    { name: 'fault', value: 'KIND[:N]', help: 'answer the next N requests (default 1) with a fault:\n500, 429, 413, 401 or slow' },
    optionFlag({ name: 'retry-after', value: 'S' }, 'SinkOptions', 'retryAfterSeconds'),
    optionFlag({ name: 'slow-millis', value: 'MS' }, 'SinkOptions', 'slowMillis'),
    optionFlag({ name: 'plan', value: 'FILE' }, 'SinkOptions', 'trackingPlan'),
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
  const port = integer(values, 'port') ?? DEFAULTS.sink.port;
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
