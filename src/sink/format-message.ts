/** One message as a short readable line: time, type, identity, what happened, trace correlation. */
export function formatMessage(message: Readonly<Record<string, unknown>>): string {
  const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));
  const time = typeof message.timestamp === 'string' ? message.timestamp.slice(11, 23) : '--:--:--.---';
  const who = message.userId !== undefined ? `user=${text(message.userId)}` : `anon=${text(message.anonymousId)}`;
  const what =
    message.type === 'track' ? `"${text(message.event)}"`
    : message.type === 'group' ? `group=${text(message.groupId)}`
    : message.type === 'alias' ? `previous=${text(message.previousId)}`
    : message.name !== undefined ? `"${text(message.name)}"`
    : '';
  const context = message.context as { otel?: { traceId?: string; spanId?: string } } | undefined;
  const trace = context?.otel?.traceId === undefined ? 'trace=-' : `trace=${context.otel.traceId} span=${context.otel.spanId}`;
  return [time, String(message.type).padEnd(8), who, what, trace].filter((part) => part !== '').join('  ');
}
