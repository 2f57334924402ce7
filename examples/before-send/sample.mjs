// beforeSend recipe: keep one high-volume track event at a rate (0.1 = 10 %), every other event
// whole. Decided by the messageId, not by chance: a message re-sent with the same id gets the same
// decision.
import { createHash } from 'node:crypto';

export function sampleEvent(event, rate) {
  const threshold = Math.floor(rate * 2 ** 32);
  return (message) => {
    if (message.type !== 'track' || message.event !== event) return message;
    return createHash('sha256').update(message.messageId).digest().readUInt32BE(0) < threshold ? message : null;
  };
}
