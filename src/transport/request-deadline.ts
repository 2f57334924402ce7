import { Buffer } from 'node:buffer';
import { secretRedactor } from '../errors/redact-secrets.js';
import { LIBRARY } from '../version.js';
import { describeError } from './answer-body.js';
import { nextTurn, unrefTimer } from '../runtime/timers.js';

/**
 * The deadline of one request, shared by both transports. One controller, aborted by the caller's
 * signal or by the deadline: AbortSignal.any would cost about four times as much a request (a third
 * signal, weak references to both sources). The deadline acts one turn late, after the poll phase:
 * when our own process was busy past it, an answer that arrived meanwhile is read first, instead of
 * the batch being resent (a duplicate) only because we had not looked yet.
 */
export class RequestDeadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly abort = (): void => this.controller.abort();
  private timedOut = false;

  constructor(
    private readonly caller: AbortSignal,
    timeoutMillis: number,
  ) {
    caller.addEventListener('abort', this.abort);
    if (caller.aborted) this.abort();
    this.timer = setTimeout(() => {
      nextTurn(() => {
        this.timedOut = true;
        this.abort();
      });
    }, timeoutMillis);
    unrefTimer(this.timer);
  }

  /** Aborted by the caller or at the deadline. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why a request that threw failed: its deadline, or what the error names. */
  reason(error: unknown): string {
    return this.timedOut && !this.caller.aborted ? 'request timed out' : describeError(error);
  }

  /** Called once the request settled. */
  clear(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener('abort', this.abort);
  }
}

/** The headers every request carries, and the redaction of the writeKey and its Basic credential in any form a server may echo. */
export function authorization(writeKey: string): { readonly headers: Readonly<Record<string, string>>; readonly redact: (text: string) => string } {
  const credential = Buffer.from(`${writeKey}:`).toString('base64');
  return {
    headers: { 'content-type': 'application/json', authorization: `Basic ${credential}`, 'user-agent': `${LIBRARY.name}/${LIBRARY.version}` },
    redact: secretRedactor([credential, writeKey]),
  };
}
