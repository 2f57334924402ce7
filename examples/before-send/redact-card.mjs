// One redaction written twice: as a beforeSend hook (the built-in pipeline, the bridge), and as an
// OpenTelemetry LogRecordProcessor for a logs pipeline of your own, placed before the processor of
// MetaRouterLogRecordExporter. Both put the same bytes on the wire.
const MASK = '[redacted]';

export function redactCard(message) {
  if (message.properties?.card !== undefined) message.properties.card = MASK;
  return message;
}

export class RedactCardProcessor {
  onEmit(record) {
    const body = record.body;
    if (body?.properties?.card !== undefined) record.setBody({ ...body, properties: { ...body.properties, card: MASK } });
  }

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}
