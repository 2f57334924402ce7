// beforeSend recipe: send a SHA-256 of traits.email instead of the address itself (identify calls,
// and any call whose context carries traits). Pass it as `beforeSend: hashEmail`.
import { createHash } from 'node:crypto';

const sha256 = (text) => createHash('sha256').update(text.trim().toLowerCase()).digest('hex');

export function hashEmail(message) {
  for (const traits of [message.traits, message.context.traits]) {
    if (typeof traits?.email === 'string') traits.email = sha256(traits.email);
  }
  return message;
}
