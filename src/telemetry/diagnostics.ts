import { namedChannel, type NamedChannel } from '../runtime/named-channel.js';
import type { DeliveryObserver } from '../delivery/observer.js';

/**
 * Named `diagnostics_channel` channels, the Node way to watch a library without it printing
 * anything. Messages never hold the writeKey or message bodies. Made at the first event, not at
 * import: a runtime without `diagnostics_channel` (Vercel Edge) loads the package and publishes
 * nothing.
 */
const NAMES = Object.freeze({
  /** `{ messageCount, bytes, attempt }` when a request starts. */
  request: 'metarouter-otel:request',
  /** `{ messageCount, bytes, attempt, outcome, status, durationMillis }` when it ends. */
  response: 'metarouter-otel:response',
  /** `{ messageIds, code }` whenever messages are given up. */
  drop: 'metarouter-otel:drop',
  /** `{ delayMillis }` when a batch is scheduled to be retried. */
  retry: 'metarouter-otel:retry',
  /** `{ messageId, stage }` when a shaping stage (`beforeSend`) drops a message. */
  filter: 'metarouter-otel:filter',
});

let channels: Readonly<Record<keyof typeof NAMES, NamedChannel>> | undefined;

function named(): Readonly<Record<keyof typeof NAMES, NamedChannel>> {
  channels ??= {
    request: namedChannel(NAMES.request),
    response: namedChannel(NAMES.response),
    drop: namedChannel(NAMES.drop),
    retry: namedChannel(NAMES.retry),
    filter: namedChannel(NAMES.filter),
  };
  return channels;
}

/** Publishes delivery events on {@link CHANNELS}, only when someone subscribed. */
export const diagnosticsObserver: DeliveryObserver = {
  requestStarted(info) {
    const channel = named().request;
    if (channel.hasSubscribers) channel.publish(info);
  },
  requestFinished(info) {
    const channel = named().response;
    if (channel.hasSubscribers) channel.publish(info);
  },
  delivered() {},
  dropped(messageIds, code) {
    const channel = named().drop;
    if (channel.hasSubscribers) channel.publish({ messageIds, code });
  },
  retryScheduled(delayMillis) {
    const channel = named().retry;
    if (channel.hasSubscribers) channel.publish({ delayMillis });
  },
  filtered(messageId, stage) {
    const channel = named().filter;
    if (channel.hasSubscribers) channel.publish({ messageId, stage });
  },
};
