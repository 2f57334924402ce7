// A Cloudflare Worker (module syntax) that records an event per request. Bundle and deploy it
// with wrangler (`nodejs_compat` in its compatibility flags); wrangler picks the package's
// `workerd` entry, which uses the runtime's fetch.
//
// The Analytics instance lives at module scope: every request the isolate serves shares it, and
// a flush sends what all of them queued. Each request hands the promise of flush() to
// ctx.waitUntil: the response goes out at once and the request lasts until its events are
// delivered (or finally failed and reported).
import { env } from 'cloudflare:workers';
import { Analytics } from 'metarouter-otel';

export const analytics = new Analytics({ writeKey: env.METAROUTER_WRITE_KEY, host: env.METAROUTER_HOST });
analytics.on('error', (error) => console.error(`delivery error ${error.code}: ${error.message}`));

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const messageId = analytics.track({
      anonymousId: request.headers.get('x-visitor-id') ?? 'anonymous',
      event: 'Page Requested',
      properties: { path: url.pathname },
    });
    ctx.waitUntil(analytics.flush());
    return Response.json({ messageId });
  },
};
