/** Something that can start sending what it holds when the process is about to exit. */
export interface Drainable {
  drainBeforeExit(): void;
}

const live = new Set<Drainable>();

function onBeforeExit(): void {
  for (const drainable of live) drainable.drainBeforeExit();
}

/**
 * Registers a delivery to be drained on `beforeExit`: a script that records events and simply ends
 * still sends them. Node fires `beforeExit` again once that work is done, and a drained delivery
 * then holds nothing, so the process exits. One process listener serves every instance.
 */
export function drainOnExit(drainable: Drainable): void {
  if (live.size === 0) process.on('beforeExit', onBeforeExit);
  live.add(drainable);
}

/** Undoes {@link drainOnExit}, at shutdown. */
export function stopDrainOnExit(drainable: Drainable): void {
  live.delete(drainable);
  if (live.size === 0) process.off('beforeExit', onBeforeExit);
}
