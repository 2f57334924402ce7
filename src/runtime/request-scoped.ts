/**
 * True on Cloudflare Workers (workerd), which names itself in `navigator.userAgent`. There the I/O
 * and timers a request handler starts belong to that request and are cancelled when it ends (a
 * callback a finished request scheduled never runs), and `Date.now()` stands still while code runs,
 * moving only from one event to the next.
 */
export function inRequestScopedRuntime(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === 'Cloudflare-Workers';
}
