import { randomUUID } from 'node:crypto';
import type { DeliveryConfig } from '../config/resolve-options.js';
import { createDelivery } from './create-delivery.js';
import type { Delivery } from '../delivery/delivery.js';
import type { DeliveryError } from '../errors/metarouter-error.js';
import { isProblem } from '../translate/build-record.js';
import { fromPlain } from '../shaping/plain-message.js';
import type { PlanListener } from '../shaping/plan-stage.js';
import { violationGeneratedMessages } from '../shaping/tracking-plan/index.js';

/**
 * Sends each reported violation as a `Violation Generated` track message under
 * `violationWriteKey`, to the same endpoint with the same delivery options, through a queue of its
 * own (as Protocols forwards violations to a separate source): the violations never take room in
 * the events' queue, nor the events in theirs.
 */
export class ViolationForwarder {
  private readonly delivery: Delivery;
  private readonly writeKeyJson: string;

  constructor(config: DeliveryConfig, violationWriteKey: string, report: (error: DeliveryError) => void) {
    this.delivery = createDelivery({ ...config, writeKey: violationWriteKey }, report);
    this.writeKeyJson = JSON.stringify(violationWriteKey);
  }

  readonly listener: PlanListener = (result, message) => {
    const timestamp = new Date().toISOString();
    for (const generated of violationGeneratedMessages(result.report, message)) {
      const messageId = randomUUID();
      const built = fromPlain({ ...generated, timestamp }, { type: 'track', messageId, timestamp, traceId: undefined, spanId: undefined }, this.writeKeyJson);
      if (isProblem(built)) this.delivery.discard(built.code, `a Violation Generated message could not be built: ${built.message}`, [messageId], 1, built.cause);
      else this.delivery.enqueue(built);
    }
  };

  /** Running totals of the forwarding queue. */
  get counters(): Delivery['counters'] {
    return this.delivery.counters;
  }

  flush(): Promise<void> {
    return this.delivery.flush();
  }

  shutdown(timeoutMillis: number): Promise<void> {
    return this.delivery.shutdown(timeoutMillis);
  }
}
