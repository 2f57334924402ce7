import type { SinkFaultKind } from '../config/sink-options.js';

/** What the sink answers for a simulated fault. */
export interface FaultAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The answer of each status fault; `slow` has none (it delays the normal answer). */
export function faultAnswer(kind: Exclude<SinkFaultKind, 'slow'>, retryAfterSeconds: number): FaultAnswer {
  switch (kind) {
    case '500':
      return { status: 500, headers: {}, body: '{"error":"simulated server error"}' };
    case '429':
      return { status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, body: '{"error":"simulated rate limit"}' };
    case '413':
      return { status: 413, headers: {}, body: '{"error":"simulated payload too large"}' };
    case '401':
      return { status: 401, headers: {}, body: '{"error":"simulated bad writeKey"}' };
  }
}

/** The fault armed for the next requests, if any, and how many requests it still applies to. */
export interface FaultState {
  readonly kind: SinkFaultKind;
  readonly remaining: number;
}

/** Which of the next requests get a simulated fault. One fault is armed at a time; arming replaces it. */
export class FaultPlan {
  private armed: { kind: SinkFaultKind; remaining: number } | undefined;

  arm(kind: SinkFaultKind, count: number): void {
    this.armed = { kind, remaining: count };
  }

  disarm(): void {
    this.armed = undefined;
  }

  /** The fault for the request now arriving, used up by taking it. */
  take(): SinkFaultKind | undefined {
    if (this.armed === undefined) return undefined;
    const { kind } = this.armed;
    if (--this.armed.remaining <= 0) this.armed = undefined;
    return kind;
  }

  get state(): FaultState | undefined {
    return this.armed === undefined ? undefined : { ...this.armed };
  }
}
