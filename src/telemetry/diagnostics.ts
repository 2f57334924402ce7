import diagnosticsChannel from 'node:diagnostics_channel';
import type { DeliveryObserver } from '../delivery/observer.js';

/**
 * Named `diagnostics_channel` channels, the Node way to watch a library without it printing
 * anything. Messages never hold the writeKey or message bodies.
 */
const CHANNELS = Object.freeze({
  /** `{ messageCount, bytes, attempt }` when a request starts. */
  request: diagnosticsChannel.channel('metarouter-otel:request'),
  /** `{ messageCount, bytes, attempt, outcome, status, durationMillis }` when it ends. */
  response: diagnosticsChannel.channel('metarouter-otel:response'),
  /** `{ messageIds, code }` whenever messages are given up. */
  drop: diagnosticsChannel.channel('metarouter-otel:drop'),
  /** `{ delayMillis }` when a batch is scheduled to be retried. */
  retry: diagnosticsChannel.channel('metarouter-otel:retry'),
  /** `{ messageId, stage }` when a shaping stage (`beforeSend`) drops a message. */
  filter: diagnosticsChannel.channel('metarouter-otel:filter'),
});

/** Publishes delivery events on {@link CHANNELS}, only when someone subscribed. */
export const diagnosticsObserver: DeliveryObserver = {
  requestStarted(info) {
    if (CHANNELS.request.hasSubscribers) CHANNELS.request.publish(info);
  },
  requestFinished(info) {
    if (CHANNELS.response.hasSubscribers) CHANNELS.response.publish(info);
  },
  delivered() {},
  dropped(messageIds, code) {
    if (CHANNELS.drop.hasSubscribers) CHANNELS.drop.publish({ messageIds, code });
  },
  retryScheduled(delayMillis) {
    if (CHANNELS.retry.hasSubscribers) CHANNELS.retry.publish({ delayMillis });
  },
  filtered(messageId, stage) {
    if (CHANNELS.filter.hasSubscribers) CHANNELS.filter.publish({ messageId, stage });
  },
};
