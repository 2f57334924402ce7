import type { Problem } from './find-problems.js';
import { terminalText } from './terminal-text.js';

/** The problem's own words (they name the field), after its source unless it is the Spec. */
function problemText(problem: Problem): string {
  return `${problem.source === 'spec' ? '' : `${problem.source}: `}${problem.message}`;
}

/**
 * One message as a short readable line: time, type, identity, what happened, trace correlation, and
 * after `!` each problem found in it. Every part comes from the sender (any web page can POST to the
 * sink), so the whole line goes through `terminalText`: it stays one line and cannot drive the terminal.
 */
export function formatMessage(message: Readonly<Record<string, unknown>>, problems: readonly Problem[] = []): string {
  const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value));
  const time = typeof message.timestamp === 'string' ? message.timestamp.slice(11, 23) : '--:--:--.---';
  const who = message.userId !== undefined ? `user=${text(message.userId)}` : `anon=${text(message.anonymousId)}`;
  const what =
    message.type === 'track' ? `"${text(message.event)}"`
    : message.type === 'group' ? `group=${text(message.groupId)}`
    : message.type === 'alias' ? `previous=${text(message.previousId)}`
    : message.name !== undefined ? `"${text(message.name)}"`
    : '';
  const context = message.context as { otel?: { traceId?: unknown; spanId?: unknown } } | undefined;
  const trace = context?.otel?.traceId === undefined ? 'trace=-' : `trace=${text(context.otel.traceId)} span=${text(context.otel.spanId)}`;
  const flags = problems.length === 0 ? '' : `! ${problems.map(problemText).join('; ')}`;
  return terminalText([time, String(message.type).padEnd(8), who, what, trace, flags].filter((part) => part !== '').join('  '));
}
