import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopback } from '../config/validate.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function hostnameOf(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined;
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request may see the debugger's page, stream and API. With a token, it must be shown
 * (`?token=` or `Authorization: Bearer`). Without one the sink listens on loopback only, and the
 * request must also name a loopback host: a web page whose DNS name was re-pointed at 127.0.0.1
 * would otherwise read the debugger's data.
 */
export function mayView(request: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (token === undefined) {
    const host = hostnameOf(request.headers.host);
    return host !== undefined && isLoopback(host);
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const shown = url.searchParams.get('token') ?? bearer;
  return shown !== undefined && shown !== null && timingSafeEqual(digest(shown), digest(token));
}
