import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordProcessor, type SdkLogRecord } from '@opentelemetry/sdk-logs';
import { MetaRouterLogRecordExporter, type MetaRouterError } from '../../src/index.js';

const throwNullObject = (): never => {
  throw Object.create(null);
};

/** Bodies a user's processor may put on a record, each read by the exporter at export. */
const HOSTILE_BODIES: ReadonlyArray<readonly [string, () => unknown]> = [
  ['a Proxy whose get trap throws a null-prototype object', () => new Proxy({ userId: 'u1', event: 'Paid' }, { get: throwNullObject })],
  ['a Proxy whose getPrototypeOf trap throws a null-prototype object', () => new Proxy({ userId: 'u1', event: 'Paid' }, { getPrototypeOf: throwNullObject })],
  ['a body whose messageId getter throws a null-prototype object', () => ({ userId: 'u1', event: 'Paid', get messageId() { return throwNullObject(); } })],
  ['a body whose timestamp getter throws a null-prototype object', () => ({ userId: 'u1', event: 'Paid', get timestamp() { return throwNullObject(); } })],
  ['a body whose properties are a Proxy whose traps throw', () => ({ userId: 'u1', event: 'Paid', properties: new Proxy({}, { getPrototypeOf: throwNullObject, ownKeys: throwNullObject }) })],
];

for (const [what, make] of HOSTILE_BODIES) {
  test(`MetaRouterLogRecordExporter given ${what}: the record is queued or reported, never lost in silence`, async () => {
    const exporter = new MetaRouterLogRecordExporter({ writeKey: 'k', host: 'http://127.0.0.1:9' });
    const errors: MetaRouterError[] = [];
    exporter.on('error', (error) => errors.push(error));
    const replaceBody: LogRecordProcessor = { onEmit: (record: SdkLogRecord) => void (record.body = make() as never), forceFlush: async () => {}, shutdown: async () => {} };
    const provider = new LoggerProvider({ processors: [replaceBody, new SimpleLogRecordProcessor({ exporter })] });
    try {
      provider.getLogger('app').emit({ eventName: 'analytics.track', body: {} });
      assert.equal(exporter.counters.accepted + exporter.counters.refused, 1, `counters ${JSON.stringify(exporter.counters)}`);
      assert.equal(errors.length, exporter.counters.refused);
      for (const error of errors) assert.doesNotThrow(() => inspect(error));
    } finally {
      await exporter.shutdown(100);
    }
  });
}
