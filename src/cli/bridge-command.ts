import { startBridge, type PlanViolationAction, type UnplannedEventAction, type UnplannedPropertyAction } from '../index.js';
import { integer, list, text, UsageError, type Command } from './command-line.js';
import { optionFlag } from './option-flag.js';
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
    optionFlag({ name: 'port', value: 'N' }, 'BridgeOptions', 'port'),
    optionFlag({ name: 'hostname', value: 'ADDR' }, 'BridgeOptions', 'hostname'),
    optionFlag({ name: 'host', value: 'URL', more: '(or env METAROUTER_HOST)' }, 'DeliveryOptions', 'host'),
    optionFlag({ name: 'write-key', value: 'KEY', more: '(or env METAROUTER_WRITE_KEY, which keeps it out of ps)' }, 'DeliveryOptions', 'writeKey'),
    optionFlag({ name: 'token', value: 'T', more: '(or env METAROUTER_BRIDGE_TOKEN)' }, 'BridgeOptions', 'token'),
    optionFlag({ name: 'max-body-bytes', value: 'N' }, 'BridgeOptions', 'maxBodyBytes'),
    optionFlag({ name: 'flush-at', value: 'N' }, 'DeliveryOptions', 'flushAt'),
    optionFlag({ name: 'flush-interval', value: 'MS', more: '(100 shows events at once in development)' }, 'DeliveryOptions', 'flushInterval'),
    { name: 'storage', value: 'DIR', help: 'durable: events are on disk before a client gets 200, and a\nrestart sends what a killed bridge left (one bridge per DIR)' },
    optionFlag({ name: 'dead-letter-file', value: 'F' }, 'DeliveryOptions', 'deadLetterFile'),
    { name: 'queue', value: 'URL', help: 'a fleet of bridges on one PostgreSQL queue (postgres://…, or env\nMETAROUTER_QUEUE_URL, which keeps the password out of ps): events\ncommitted before 200, delivered once per messageId by any bridge' },
    optionFlag({ name: 'queue-dedup-window', value: 'MS' }, 'QueueOptions', 'dedupWindow'),
    optionFlag({ name: 'queue-max-bytes', value: 'N' }, 'QueueOptions', 'maxBytes'),
    optionFlag({ name: 'queue-lease-millis', value: 'MS' }, 'QueueOptions', 'leaseMillis'),
    { name: 'plan', value: 'PLAN.json', help: 'enforce this Segment tracking plan on every event; what it drops\nis answered as rejected in partial_success' },
    optionFlag({ name: 'unplanned-events', value: 'allow|report|drop' }, 'PlanEnforcementOptions', 'unplannedEvents'),
    optionFlag({ name: 'unplanned-properties', value: 'keep|omit' }, 'PlanEnforcementOptions', 'unplannedProperties'),
    optionFlag({ name: 'other-violations', value: 'report|drop', more: '(throw drops here)' }, 'PlanEnforcementOptions', 'otherViolations'),
    optionFlag({ name: 'violation-write-key', value: 'KEY' }, 'TrackingPlanOptions', 'violationWriteKey'),
    optionFlag({ name: 'resource-attribute-keys', value: 'A,B,C', more: "(comma-separated, '' for []; default service.name, service.namespace, service.version, service.instance.id, deployment.environment.name)" }, 'ResourceIdentityOptions', 'resourceAttributeKeys'),
  ],
};

/** `metarouter-otel bridge`: runs until SIGINT or SIGTERM, then drains and delivers. */
export async function bridgeCommand(values: Record<string, string | boolean | undefined>): Promise<void> {
  const storage = text(values, 'storage');
  const queue = text(values, 'queue');
  const dedupWindow = integer(values, 'queue-dedup-window');
  const maxBytes = integer(values, 'queue-max-bytes');
  const leaseMillis = integer(values, 'queue-lease-millis');
  if (queue === undefined && (dedupWindow !== undefined || maxBytes !== undefined || leaseMillis !== undefined)) {
    throw new UsageError('--queue-dedup-window, --queue-max-bytes and --queue-lease-millis need --queue');
  }
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
    queue: queue === undefined ? undefined : { url: queue, dedupWindow, maxBytes, leaseMillis },
    trackingPlan: text(values, 'plan'),
    // Checked by startBridge like any option: a wrong word is a ConfigurationError naming it.
    planEnforcement: {
      unplannedEvents: text(values, 'unplanned-events') as UnplannedEventAction | undefined,
      unplannedProperties: text(values, 'unplanned-properties') as UnplannedPropertyAction | undefined,
      otherViolations: text(values, 'other-violations') as PlanViolationAction | undefined,
    },
    violationWriteKey: text(values, 'violation-write-key'),
    resourceAttributeKeys: list(values, 'resource-attribute-keys'),
  });
  // One line per error, code first; error messages never hold the writeKey.
  running.on('error', (error) => errorLine('bridge', `${error.code} ${error.message}`));
  console.log(`metarouter-otel bridge listening on ${running.url} (POST /v1/logs, /v1/traces)`);
  stopOnSignals('bridge', () => running.close(), true);
}
