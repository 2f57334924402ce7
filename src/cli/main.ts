#!/usr/bin/env node
import { createReadStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// The command line uses the package's public API only.
import { replay, startBridge, startSink, type ReplayProgress } from '../index.js';
import { createPlanEnforcer, trackingPlanModule } from '../index.js';

const USAGE = `Usage: metarouter-otel <command> [options]

Commands:
  sink     Run a local MetaRouter-compatible ingestion endpoint (POST /v1/batch)
           --port N         port to listen on (default 8088; 0 picks one)
           --hostname ADDR  address to listen on (default 127.0.0.1)
           --out FILE       also append every message to FILE as NDJSON
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

async function sink(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string' }, hostname: { type: 'string' }, out: { type: 'string' } } });
  const port = values.port === undefined ? 8088 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got ${values.port}`);
  const running = await startSink({ port, hostname: values.hostname, out: values.out, onLine: (line) => console.log(line) });
  console.log(`metarouter-otel sink listening on ${running.url}/v1/batch${values.out === undefined ? '' : ` (writing ${values.out})`}`);
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
    },
  });
  const number = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
  const running = await startBridge({
    port: number(values.port),
    hostname: values.hostname,
    host: values.host,
    writeKey: values['write-key'],
    token: values.token,
    maxBodyBytes: number(values['max-body-bytes']),
    storage: values.storage === undefined ? undefined : { directory: values.storage },
    deadLetterFile: values['dead-letter-file'],
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
