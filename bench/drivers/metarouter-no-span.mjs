// metarouter-otel as the `metarouter` driver runs it, but called outside any span: the harness
// still starts (and ends) a span per 100 calls, without making it active (`outsideSpans`), so no
// message carries `context.otel` and no span is marked. Paired with `baseline`, which sends the
// same bytes: the ratio of the two rows is issue 19's "outside spans" goal.
import metarouter from './metarouter.mjs';

export default {
  name: 'metarouter-no-span',
  outsideSpans: true,
  create: (options) => metarouter.create(options),
};
