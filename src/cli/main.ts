#!/usr/bin/env node
import { createReadStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// The command line uses the package's public API only.
import { replay, startBridge, startSink, type ReplayProgress, type SinkFault, type SinkFaultKind } from '../index.js';
import { createPlanEnforcer, trackingPlanModule } from '../index.js';
import type { PlanViolationAction, UnplannedEventAction, UnplannedPropertyAction } from '../index.js';

const USAGE = `Usage: metarouter-otel <command> [options]

Commands:
  sink     Run a local MetaRouter-compatible ingestion endpoint (POST /v1/batch)
           --port N         port to listen on (default 8088; 0 picks one)
           --hostname ADDR  address to listen on (default 127.0.0.1)
           --out FILE       also append every message to FILE as NDJSON
           --token T        require T for the debugger page (required off loopback)
           --trace-url URL  make trace ids links, e.g. http://localhost:16686/trace/{traceId}
           --max-history N  messages kept for the debugger (default 100000)
           --fault KIND[:N] answer the next N requests (default 1) with a fault:
                            500, 429, 413, 401 or slow
           --retry-after S  Retry-After of a simulated 429 (default 1)
           --slow-millis MS delay of a simulated slow answer (default 3000)
           --plan FILE      mark the violations of this tracking plan (Segment JSON export)
           The live debugger page is served at the root URL (printed at start).
  bridge   Run the OTLP/HTTP bridge: take analytics events from OTLP log records and spans
           (POST /v1/logs, /v1/traces) and deliver them to MetaRouter
           --port N              port to listen on (default 4318; 0 picks one)
           --hostname ADDR       address to listen on (default 127.0.0.1; 0.0.0.0 for all)
           --host URL            ingestion endpoint (or env METAROUTER_HOST)
           --write-key KEY       source ID (or env METAROUTER_WRITE_KEY, which keeps it out of ps)
           --token T             require Authorization: Bearer T (or env METAROUTER_BRIDGE_TOKEN)
           --max-body-bytes N    largest request body after decompression (default 64 MiB)
           --storage DIR         durable: events are on disk before a client gets 200, and a
                                 restart sends what a killed bridge left (one bridge per DIR)
           --dead-letter-file F  append events given up for good to F (NDJSON, for replay)
           --plan PLAN.json      enforce this Segment tracking plan on every event; what it drops is
                                 answered as rejected in partial_success
           --unplanned-events allow|report|drop        (default report)
           --unplanned-properties keep|omit            (default keep)
           --other-violations report|drop             (default report; throw drops here)
           --violation-write-key KEY  also send violations as Violation Generated tracks to KEY
           GET /healthz and /readyz for probes; SIGTERM drains, delivers, then exits
  replay   Send the messages of an NDJSON file again (a deadLetterFile, or a sink's --out file),
           in order, at least once, keeping their messageIds; a progress bar, then a summary
           FILE                  the NDJSON file
           --host URL            ingestion endpoint (or env METAROUTER_HOST)
           --write-key KEY       source ID (or env METAROUTER_WRITE_KEY)
           exits 0 when every message was delivered, 1 otherwise
  plan types PLAN.json   Print a TypeScript module typing the calls of a Segment tracking plan export
           --import-from NAME    module to import the types from (default metarouter-otel)
  plan check PLAN.json   Compile the plan (exit 2 if it cannot be enforced)
           --messages FILE       also check each message of an NDJSON file (as \`sink --out\` writes);
                                 print each violation, exit 1 if any
`;

function fail(message: string): never {
  console.error(`metarouter-otel: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** A whole non-negative decimal number, or exit 2: `Number('')` would quietly be 0. */
function integerFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) fail(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function faultFlag(value: string | undefined): SinkFault | undefined {
  if (value === undefined) return undefined;
  const [kind, count, extra] = value.split(':');
  if (!['500', '429', '413', '401', 'slow'].includes(kind ?? '') || extra !== undefined) fail(`--fault must be KIND[:N] with KIND 500, 429, 413, 401 or slow, got ${JSON.stringify(value)}`);
  return { kind: kind as SinkFaultKind, count: integerFlag('fault count', count) ?? 1 };
}

async function sink(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      hostname: { type: 'string' },
      out: { type: 'string' },
      token: { type: 'string' },
      'trace-url': { type: 'string' },
      'max-history': { type: 'string' },
      fault: { type: 'string' },
      'retry-after': { type: 'string' },
      'slow-millis': { type: 'string' },
      plan: { type: 'string' },
    },
  });
  const port = integerFlag('port', values.port) ?? 8088;
  if (port > 65535) fail(`--port must be a port number, got ${values.port}`);
  const running = await startSink({
    port,
    hostname: values.hostname,
    out: values.out,
    token: values.token,
    traceUrl: values['trace-url'],
    maxHistory: integerFlag('max-history', values['max-history']),
    fault: faultFlag(values.fault),
    retryAfterSeconds: integerFlag('retry-after', values['retry-after']),
    slowMillis: integerFlag('slow-millis', values['slow-millis']),
    trackingPlan: values.plan,
    onLine: (line) => console.log(line),
  });
  running.on('error', (error) => console.error(`metarouter-otel sink: ${error.code} ${error.message.replace(/\s+/g, ' ')}`));
  console.log(`metarouter-otel sink listening on ${running.url}/v1/batch${values.out === undefined ? '' : ` (writing ${values.out})`}`);
  console.log(`live debugger: ${running.debuggerUrl}`);
  const stop = (): void => void running.close().then(() => process.exit(0), (error: unknown) => fail(String(error)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function bridge(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      hostname: { type: 'string' },
      host: { type: 'string' },
      'write-key': { type: 'string' },
      token: { type: 'string' },
      'max-body-bytes': { type: 'string' },
      storage: { type: 'string' },
      'dead-letter-file': { type: 'string' },
      plan: { type: 'string' },
      'unplanned-events': { type: 'string' },
      'unplanned-properties': { type: 'string' },
      'other-violations': { type: 'string' },
      'violation-write-key': { type: 'string' },
    },
  });
  const running = await startBridge({
    port: integerFlag('port', values.port),
    hostname: values.hostname,
    host: values.host,
    writeKey: values['write-key'],
    token: values.token,
    maxBodyBytes: integerFlag('max-body-bytes', values['max-body-bytes']),
    storage: values.storage === undefined ? undefined : { directory: values.storage },
    deadLetterFile: values['dead-letter-file'],
    trackingPlan: values.plan,
    // Checked by startBridge like any option: a wrong word is a ConfigurationError naming it.
    planEnforcement: {
      unplannedEvents: values['unplanned-events'] as UnplannedEventAction | undefined,
      unplannedProperties: values['unplanned-properties'] as UnplannedPropertyAction | undefined,
      otherViolations: values['other-violations'] as PlanViolationAction | undefined,
    },
    violationWriteKey: values['violation-write-key'],
  });
  // One line per error, code first; error messages never hold the writeKey.
  running.on('error', (error) => console.error(`metarouter-otel bridge: ${error.code} ${error.message.replace(/\s+/g, ' ')}`));
  console.log(`metarouter-otel bridge listening on ${running.url} (POST /v1/logs, /v1/traces)`);
  const stop = (signal: string): void => {
    console.log(`metarouter-otel bridge: ${signal}, draining`);
    void running.close().then(() => process.exit(0), (error: unknown) => fail(String(error)));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A one-line progress bar on stderr: redrawn in place on a terminal, a line per step elsewhere. */
function progressBar(total: number): (progress: ReplayProgress) => void {
  return ({ lines, delivered, failed }) => {
    const done = total === 0 ? 1 : Math.min(1, lines / total);
    const bar = '#'.repeat(Math.round(done * 30)).padEnd(30, '.');
    const text = `[${bar}] ${lines}/${total} read, ${delivered} delivered, ${failed} failed`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
  };
}

async function replayCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { host: { type: 'string' }, 'write-key': { type: 'string' } } });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) fail('replay takes one FILE');
  let total = 0;
  try {
    // Counted in a first streaming pass, for the bar; the file is never held whole.
    for await (const chunk of createReadStream(file)) for (const byte of chunk as Buffer) if (byte === 10) total++;
  } catch (error) {
    fail(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const errors = new Map<string, number>();
  const summary = await replay({
    file,
    host: values.host,
    writeKey: values['write-key'],
    onProgress: progressBar(total),
    onError: (error) => errors.set(error.code, (errors.get(error.code) ?? 0) + Math.max(1, (error as { messageIds?: readonly string[] }).messageIds?.length ?? 0)),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(`replayed ${file}: ${summary.lines} lines, ${summary.delivered} delivered, ${summary.failed} failed (${summary.invalid} not a message)`);
  for (const [code, count] of errors) console.log(`  ${code}: ${count}`);
  process.exitCode = summary.delivered === summary.lines ? 0 : 1;
}

function planCheck(planPath: string, messagesPath: string | undefined): void {
  const enforcer = createPlanEnforcer({ trackingPlan: planPath });
  if (enforcer === undefined) return;
  if (messagesPath === undefined) {
    console.log(`metarouter-otel plan: ${planPath} compiles`);
    return;
  }
  const lines = readFileSync(messagesPath, 'utf8').split('\n').filter((line) => line.trim() !== '');
  let broken = 0;
  lines.forEach((line, index) => {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      fail(`${messagesPath} line ${index + 1} is not JSON`);
    }
    const result = enforcer.check(message as Record<string, unknown>);
    if (result.violations.length === 0) return;
    broken += 1;
    for (const violation of result.violations) console.log(`${messagesPath}:${index + 1} ${violation.type} ${violation.description}`);
  });
  console.log(`metarouter-otel plan: ${lines.length} messages checked, ${broken} with violations`);
  if (broken > 0) process.exitCode = 1;
}

function plan(args: string[]): void {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'import-from': { type: 'string' }, messages: { type: 'string' } } });
  const [action, planPath] = positionals;
  if (planPath === undefined || positionals.length > 2) fail('plan needs an action and one plan file');
  if (action === 'types') process.stdout.write(trackingPlanModule(planPath, { importFrom: values['import-from'] }));
  else if (action === 'check') planCheck(planPath, values.messages);
  else fail(`unknown plan action "${action}"`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command === 'sink') return sink(rest);
  if (command === 'bridge') return bridge(rest);
  if (command === 'replay') return replayCommand(rest);
  if (command === 'plan') return plan(rest);
  fail(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
