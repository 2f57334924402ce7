// A serverless-style function (AWS Lambda, Google Cloud Functions, Azure Functions, …). The
// Analytics instance lives at module scope, so warm invocations reuse it and its connection pool;
// each invocation records its events and awaits analytics.flush() before it returns, because the
// platform may freeze or kill the process as soon as the handler's promise settles.
//
// Run directly, the script plays the platform: it invokes the handler 3 times. Analytics go to
// METAROUTER_HOST when it is set (e.g. `npx metarouter-otel sink`), else to a local sink started here.
import { Analytics, startSink } from 'metarouter-otel';

const sink = process.env.METAROUTER_HOST ? undefined : await startSink({ port: 0, onLine: (line) => console.log(`sink received  ${line}`) });

const analytics = new Analytics({ writeKey: process.env.METAROUTER_WRITE_KEY || 'demo_source_id', host: process.env.METAROUTER_HOST || sink.url });
analytics.on('error', (error) => console.error(`delivery error ${error.code}: ${error.message}`));

/** The function: records what the request did, then waits until it is delivered. */
export async function handler(event) {
  const messageIds = [
    analytics.identify({ userId: event.userId, traits: { plan: event.plan } }),
    analytics.track({ userId: event.userId, event: 'Report Generated', properties: { invocation: event.invocation } }),
  ];
  // flush() resolves when both are delivered (or finally failed and reported), waiting for a
  // request already in flight; whenDelivered() says how that one message ended: it rejects with
  // the DeliveryError that gave it up, so the handler can answer differently.
  const [, delivery] = await Promise.all([analytics.flush(), analytics.whenDelivered(messageIds[1]).then(() => 'delivered', (error) => error.code)]);
  return { statusCode: 200, body: JSON.stringify({ messageIds, delivery, inFlight: analytics.counters.pending }) };
}

// The platform's side: three invocations of the same warm instance.
const exitListeners = process.listenerCount('beforeExit');
let deliveredBeforeReturn = 0;
for (let invocation = 1; invocation <= 3; invocation++) {
  const { body } = await handler({ userId: `user-${invocation}`, plan: 'pro', invocation });
  const { messageIds, delivery, inFlight } = JSON.parse(body);
  console.log(`invocation ${invocation}: whenDelivered(track) ${delivery}, ${inFlight} messages still pending after flush`);
  const arrived = sink === undefined ? 'sent' : `${messageIds.filter((id) => sink.messages.some((message) => message.messageId === id)).length} of 2 delivered`;
  if (sink !== undefined && arrived === '2 of 2 delivered') deliveredBeforeReturn += 2;
  console.log(`invocation ${invocation}: returned 200, ${arrived} before the handler returned`);
}

// Nothing of ours accumulates across invocations: no process listeners added, no timer left
// holding the process (what a frozen-and-thawed instance would carry over). The process then ends
// on its own, without closeAndFlush: a platform kills instances, it does not close them.
const leaks = { exitListenersAdded: process.listenerCount('beforeExit') - exitListeners, timers: process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length };
console.log(`after 3 invocations: ${leaks.exitListenersAdded} process listeners added, ${leaks.timers} timers holding the process`);
if (sink !== undefined) {
  await sink.close();
  const ok = deliveredBeforeReturn === 6 && sink.messages.length === 6 && leaks.exitListenersAdded === 0 && leaks.timers === 0;
  console.log(`${sink.messages.length} messages delivered, ${deliveredBeforeReturn} of them before their invocation returned, nothing left behind: ${ok ? 'OK' : 'MISMATCH'}`);
  process.exitCode = ok ? 0 : 1;
}
