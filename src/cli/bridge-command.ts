import { startBridge, type PlanViolationAction, type UnplannedEventAction, type UnplannedPropertyAction } from '../index.js';
import { integer, text, type Command } from './command-line.js';
import { errorLine, stopOnSignals } from './output.js';

/** The `bridge` command's table: its parser and its `--help`. */
export const BRIDGE: Command = {
  name: 'bridge',
  usage: 'bridge [options]',
  summary: 'Run the OTLP/HTTP bridge: analytics events from OTLP log records and spans to MetaRouter',
  description: `Run the OTLP/HTTP bridge: take analytics events from OTLP log records and spans
(POST /v1/logs, /v1/traces) and deliver them to MetaRouter. GET /healthz and /readyz for probes;
SIGTERM drains, delivers, then exits.`,
  positionals: false,
  flags: [
    { name: 'port', value: 'N', help: 'port to listen on (default 4318; 0 picks one)' },
    { name: 'hostname', value: 'ADDR', help: 'address to listen on (default 127.0.0.1; 0.0.0.0 for all)' },
    { name: 'host', value: 'URL', help: 'ingestion endpoint (or env METAROUTER_HOST)' },
    { name: 'write-key', value: 'KEY', help: 'source ID (or env METAROUTER_WRITE_KEY, which keeps it out of ps)' },
    { name: 'token', value: 'T', help: 'require Authorization: Bearer T (or env METAROUTER_BRIDGE_TOKEN)' },
    { name: 'max-body-bytes', value: 'N', help: 'largest request body after decompression (default 64 MiB)' },
    { name: 'flush-at', value: 'N', help: 'send a batch once it holds N messages (default 500)' },
    { name: 'flush-interval', value: 'MS', help: 'send a partial batch after MS milliseconds (default 10000;\n100 shows events at once in development)' },
    { name: 'storage', value: 'DIR', help: 'durable: events are on disk before a client gets 200, and a\nrestart sends what a killed bridge left (one bridge per DIR)' },
    { name: 'dead-letter-file', value: 'F', help: 'append events given up for good to F (NDJSON, for replay)' },
    { name: 'plan', value: 'PLAN.json', help: 'enforce this Segment tracking plan on every event; what it drops\nis answered as rejected in partial_success' },
    { name: 'unplanned-events', value: 'allow|report|drop', help: 'an event the plan does not list (default report)' },
    { name: 'unplanned-properties', value: 'keep|omit', help: 'a property the plan does not list (default keep)' },
    { name: 'other-violations', value: 'report|drop', help: 'any other violation (default report; throw drops here)' },
    { name: 'violation-write-key', value: 'KEY', help: 'also send violations as Violation Generated tracks to KEY' },
  ],
};

/** `metarouter-otel bridge`: runs until SIGINT or SIGTERM, then drains and delivers. */
export async function bridgeCommand(values: Record<string, string | boolean | undefined>): Promise<void> {
  const storage = text(values, 'storage');
  const running = await startBridge({
    port: integer(values, 'port'),
    hostname: text(values, 'hostname'),
    host: text(values, 'host'),
    writeKey: text(values, 'write-key'),
    token: text(values, 'token'),
    maxBodyBytes: integer(values, 'max-body-bytes'),
    flushAt: integer(values, 'flush-at'),
    flushInterval: integer(values, 'flush-interval'),
    storage: storage === undefined ? undefined : { directory: storage },
    deadLetterFile: text(values, 'dead-letter-file'),
    trackingPlan: text(values, 'plan'),
    // Checked by startBridge like any option: a wrong word is a ConfigurationError naming it.
    planEnforcement: {
      unplannedEvents: text(values, 'unplanned-events') as UnplannedEventAction | undefined,
      unplannedProperties: text(values, 'unplanned-properties') as UnplannedPropertyAction | undefined,
      otherViolations: text(values, 'other-violations') as PlanViolationAction | undefined,
    },
    violationWriteKey: text(values, 'violation-write-key'),
  });
  // One line per error, code first; error messages never hold the writeKey.
  running.on('error', (error) => errorLine('bridge', `${error.code} ${error.message}`));
  console.log(`metarouter-otel bridge listening on ${running.url} (POST /v1/logs, /v1/traces)`);
  stopOnSignals('bridge', () => running.close(), true);
}
