import type { ReportedError } from '../errors/error-channel.js';
import type { DeliveryError } from '../errors/metarouter-error.js';
import type { ShapedMessage, Shaper } from '../shaping/shape.js';
import type { AnalyticsRecord } from '../translate/analytics-record.js';
import type { Message } from '../translate/message.js';

/** Who is told what shaping did not send: the pipeline's counters, or only observers where records leave through a user's logs pipeline. */
export interface OutcomeSink {
  /** A stage dropped the message by the user's decision: counted and observed, not reported. */
  filtered(messageId: string, stage: string): void;
  /** Not sent because a stage failed: counted and reported. */
  failed(error: DeliveryError): void;
  /** A stage's remark, reported on the entry point's `error` channel. */
  report(error: ReportedError): void;
}

/** Anything whose flush and shutdown a shaping waits for: the pipeline forwarding the plan's violations. */
export interface Drainable {
  flush(): Promise<void>;
  shutdown(timeoutMillis: number): Promise<void>;
}

/**
 * The shaping of one entry point, settled: the shaper's outcome (see `shaping/shape.ts`) is acted
 * on here, its remarks reported, a drop counted, a failure counted and reported. Holds the
 * pipeline that forwards the plan's violations, since the plan's listeners feed it.
 */
export class Shaping {
  /** @internal Made by the assembly (`create-pipeline.ts`). */
  constructor(
    private readonly shaper: Shaper | undefined,
    private readonly sink: OutcomeSink,
    private readonly forwarding: Drainable | undefined,
  ) {}

  /** True when there are stages: a facade then keeps the plain copy of what it serializes. */
  get copies(): boolean {
    return this.shaper !== undefined;
  }

  /**
   * The message to send, or undefined when a stage dropped it (counted) or failed it (reported).
   * `record` (at a facade's call, which a stage may refuse with a thrown `ValidationError`): the one
   * `message` was made of, with the plain copy of its data.
   */
  shape(message: Message, record?: AnalyticsRecord): ShapedMessage | undefined {
    if (this.shaper === undefined) return message;
    const outcome = this.shaper.shape(message, record !== undefined, record);
    for (const report of outcome.reports) this.sink.report(report);
    if (outcome.kind === 'send') return outcome.message;
    if (outcome.kind === 'filtered') this.sink.filtered(outcome.messageId, outcome.stage);
    else this.sink.failed(outcome.error);
    return undefined;
  }

  /** Resolves once every violation forwarded so far is delivered or reported. */
  async flush(): Promise<void> {
    await this.forwarding?.flush();
  }

  /** Stops forwarding violations, by the deadline. Idempotent. */
  async shutdown(timeoutMillis: number): Promise<void> {
    await this.forwarding?.shutdown(timeoutMillis);
  }
}
