/**
 * Timers that behave alike where a timer is an object (Node, Bun: `ref`/`unref`) and where it is a
 * number (Vercel Edge, Deno's web timers): there a runtime ends a request, not a process, and
 * nothing needs to let go of it.
 */
type Holdable = { ref?: () => unknown; unref?: () => unknown };

/** Lets the process exit while `timer` is pending, where timers can; returns `timer`. */
export function unrefTimer<T>(timer: T): T {
  (timer as Holdable).unref?.();
  return timer;
}

/** Makes `timer` hold the process again, where timers can. */
export function refTimer(timer: unknown): void {
  (timer as Holdable).ref?.();
}

/**
 * Runs `callback` on a later turn of the event loop, after the I/O callbacks of this one:
 * `setImmediate` where the runtime has it (read at each call, as fake timers replace it), a zero
 * timeout elsewhere (Vercel Edge).
 */
export function nextTurn(callback: () => void): void {
  if (typeof setImmediate === 'function') setImmediate(callback);
  else setTimeout(callback, 0);
}
