import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  Analytics,
  ConfigurationError,
  MetaRouterLogRecordExporter,
  MetaRouterSpanExporter,
  startBridge,
  type PlanEnforcementOptions,
} from '../../src/index.js';
import { startIngestServer, type IngestServer } from '../helpers/ingest-server.js';

let server: IngestServer;
before(async () => {
  server = await startIngestServer();
});
after(async () => {
  await server.close();
});

/** Every entry point that takes `planEnforcement`, built without a `trackingPlan`; resolves to its closer. */
const ENTRY_POINTS: ReadonlyArray<[string, (planEnforcement: PlanEnforcementOptions) => Promise<() => Promise<void>>]> = [
  ['Analytics', async (planEnforcement) => {
    const made = new Analytics({ writeKey: 'k', host: server.url, planEnforcement });
    return () => made.closeAndFlush();
  }],
  ['MetaRouterLogRecordExporter', async (planEnforcement) => {
    const made = new MetaRouterLogRecordExporter({ writeKey: 'k', host: server.url, planEnforcement });
    return () => made.shutdown();
  }],
  ['MetaRouterSpanExporter', async (planEnforcement) => {
    const made = new MetaRouterSpanExporter({ writeKey: 'k', host: server.url, planEnforcement });
    return () => made.shutdown();
  }],
  ['startBridge', async (planEnforcement) => {
    const made = await startBridge({ writeKey: 'k', host: server.url, port: 0, hostname: '127.0.0.1', planEnforcement });
    return () => made.close();
  }],
];

const BAD: ReadonlyArray<[keyof PlanEnforcementOptions, unknown]> = [
  ['unplannedEvents', 'bogus'],
  ['unplannedProperties', 'drop'],
  ['otherViolations', 'ignore'],
  ['recordOmittedProperties', 'yes'],
];

test('planEnforcement without a trackingPlan: a bad setting is a ConfigurationError naming it at every entry point', async () => {
  for (const [entry, make] of ENTRY_POINTS) {
    for (const [name, value] of BAD) {
      let close: (() => Promise<void>) | undefined;
      let caught: unknown;
      try {
        close = await make({ [name]: value } as PlanEnforcementOptions);
      } catch (error) {
        caught = error;
      }
      if (close !== undefined) await close();
      assert.ok(caught instanceof ConfigurationError, `${entry} ${name}=${String(value)}: expected a ConfigurationError, got ${String(caught)}`);
      assert.equal(caught.code, 'MR_ERR_INVALID_OPTION');
      assert.equal(caught.option, `planEnforcement.${name}`, `${entry}: .option`);
      assert.ok(caught.message.includes(String(value)), `${entry}: the message names the actual value: ${caught.message}`);
    }
  }
});

test('planEnforcement without a trackingPlan: valid settings are accepted (they have no effect)', async () => {
  const valid: PlanEnforcementOptions = { unplannedEvents: 'drop', unplannedProperties: 'omit', otherViolations: 'throw', recordOmittedProperties: false };
  for (const [, make] of ENTRY_POINTS) {
    const close = await make(valid);
    await close();
  }
});
