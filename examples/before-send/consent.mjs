// beforeSend recipe: drop every message whose context.consent says analytics is not allowed, e.g.
// context: { consent: { analytics: false } }. Dropped messages are counted (counters.filtered),
// never reported as errors.
export function dropWithoutConsent(message) {
  return message.context.consent?.analytics === false ? null : message;
}
