#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startSink } from '../sink/sink-server.js';

const USAGE = `Usage: metarouter-otel <command> [options]

Commands:
  sink     Run a local MetaRouter-compatible ingestion endpoint (POST /v1/batch)
           --port N         port to listen on (default 8088; 0 picks one)
           --hostname ADDR  address to listen on (default 127.0.0.1)
           --out FILE       also append every message to FILE as NDJSON
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
  const stop = (): void => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command === 'sink') return sink(rest);
  fail(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
