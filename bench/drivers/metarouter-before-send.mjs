// metarouter-otel as the `metarouter` driver runs it, plus a typical redaction hook: `beforeSend`
// masks the checkout URL (which may carry personal data in its path). The difference between the
// two rows is the cost of a hook: a plain copy of each message, the hook, the checks and one
// serialization of its result.
import metarouter from './metarouter.mjs';

const redactUrl = (message) => {
  if (message.properties?.url !== undefined) message.properties.url = '[redacted]';
  return message;
};

export default {
  name: 'metarouter-before-send',
  create: (options) => metarouter.create({ ...options, extraOptions: { beforeSend: redactUrl } }),
};
