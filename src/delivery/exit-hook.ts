import { hostProcess } from '../runtime/host-process.js';

/** Something that can start sending what it holds when the process is about to exit. */
export interface Drainable {
  drainBeforeExit(): void;
  flush(): Promise<void>;
}

const live = new Set<Drainable>();

function onBeforeExit(): void {
  for (const drainable of live) drainable.drainBeforeExit();
}

/**
 * Adds or removes the `beforeExit` listener where the runtime has a process that emits it. Vercel
 * Edge has none (Next.js's stand-in throws from every method): there a request ends, not a
 * process, and the serverless pattern (`waitUntil(analytics.flush())`) is what sends.
 */
function listenBeforeExit(method: 'on' | 'off'): void {
  try {
    hostProcess()?.[method]?.('beforeExit', onBeforeExit);
  } catch {
    return;
  }
}

/**
 * Registers a delivery to be drained on `beforeExit`: a script that records events and simply ends
 * still sends them. Node fires `beforeExit` again once that work is done, and a drained delivery
 * then holds nothing, so the process exits. One process listener serves every instance.
 */
export function drainOnExit(drainable: Drainable): void {
  if (live.size === 0) listenBeforeExit('on');
  live.add(drainable);
}

/**
 * Flushes every live delivery of this package in the process. For `Analytics` over a user's
 * loggerProvider, whose exporter it cannot name: SDK processors hand records over without asking
 * the exporter to send them.
 */
export async function flushAllDeliveries(): Promise<void> {
  await Promise.all(Array.from(live, (drainable) => drainable.flush()));
}

/** Undoes {@link drainOnExit}, at shutdown. */
export function stopDrainOnExit(drainable: Drainable): void {
  live.delete(drainable);
  if (live.size === 0) listenBeforeExit('off');
}
