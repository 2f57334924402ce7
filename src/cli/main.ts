#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// The command line uses the package's public API only.
import { startBridge, startSink } from '../index.js';
import { createPlanEnforcer, trackingPlanModule } from '../index.js';
import type { PlanViolationAction, UnplannedEventAction, UnplannedPropertyAction } from '../index.js';

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
           --plan PLAN.json      enforce this Segment tracking plan on every event; what it drops is
                                 answered as rejected in partial_success
           --unplanned-events allow|report|drop        (default report)
           --unplanned-properties keep|omit            (default keep)
           --other-violations report|drop             (default report; throw drops here)
           --violation-write-key KEY  also send violations as Violation Generated tracks to KEY
           GET /healthz and /readyz for probes; SIGTERM drains, delivers, then exits
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
      plan: { type: 'string' },
      'unplanned-events': { type: 'string' },
      'unplanned-properties': { type: 'string' },
      'other-violations': { type: 'string' },
      'violation-write-key': { type: 'string' },
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
  if (command === 'plan') return plan(rest);
  fail(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
