// `waitUntil` as @vercel/functions exports it: in a Next.js app on Vercel, write
// `import { waitUntil } from '@vercel/functions';` instead of importing this file. Vercel puts the
// current request's context under this symbol; its waitUntil keeps the function alive, after the
// response is sent, until the promise settles.
const REQUEST_CONTEXT = Symbol.for('@vercel/request-context');

export function waitUntil(promise) {
  const waitUntilOfRequest = globalThis[REQUEST_CONTEXT]?.get?.()?.waitUntil;
  if (typeof waitUntilOfRequest !== 'function') throw new Error('waitUntil: no Vercel request context (not running on Vercel)');
  waitUntilOfRequest(promise);
}
