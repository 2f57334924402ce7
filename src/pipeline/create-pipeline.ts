import type { TrackingPlanOptions } from '../config/options.js';
import { resolveViolationWriteKey } from '../config/resolve-options.js';
import type { DeliveryObserver } from '../delivery/observer.js';
import type { ReportedError } from '../errors/error-channel.js';
import type { BeforeSend } from '../shaping/before-send.js';
import { createShaper } from '../shaping/create-shaper.js';
import type { PlanListener } from '../shaping/plan-stage.js';
import { createPlanEnforcer } from '../shaping/tracking-plan/index.js';
import { createPlanMetrics } from '../telemetry/plan-metrics.js';
import { createSelfMetrics } from '../telemetry/self-metrics.js';
import { createDelivery, type SendingConfig } from './create-delivery.js';
import { Pipeline } from './pipeline.js';
import { forwardViolations } from './violation-forwarder.js';

/** What one entry point's pipeline is made of: resolved options, and who is told what. */
export interface PipelineSetup {
  /** Where and how to send. */
  readonly sending: SendingConfig;
  /** The `beforeSend` hooks and the tracking plan (with `violationWriteKey`); none: messages are queued as they come. */
  readonly shaping?: { readonly beforeSend: readonly BeforeSend[]; readonly plan: TrackingPlanOptions } | undefined;
  /** The entry point's `error` channel. */
  readonly report: (error: ReportedError) => void;
  /** The OTel self-metrics (requests, drops, queue size): `Analytics` and the exporters have them. */
  readonly selfMetrics?: boolean;
  /** More observers of the delivery engine (replay's progress). */
  readonly observers?: readonly DeliveryObserver[];
  /** Told of each message a shaping stage dropped, beside the counters (the bridge's `partial_success`). */
  readonly filtered?: (messageId: string, stage: string) => void;
}

/**
 * The one place a pipeline is wired, as OpenTelemetry JS builds an exporter's whole stack in one
 * factory: shaping (the hooks, then the plan with its listeners), then the delivery engine (queue,
 * batcher, sender over the transport) with its observers, and, with `violationWriteKey`, the
 * second pipeline that forwards the plan's violations, made by this same function. Throws
 * `ConfigurationError` for a bad plan, setting, `violationWriteKey` or storage directory.
 */
export function createPipeline(setup: PipelineSetup): Pipeline {
  const { sending, shaping, report } = setup;
  const violationWriteKey = shaping === undefined ? undefined : resolveViolationWriteKey(shaping.plan.violationWriteKey);
  const enforcer = shaping === undefined ? undefined : createPlanEnforcer(shaping.plan);
  const selfMetrics = setup.selfMetrics === true ? createSelfMetrics() : undefined;
  const observers = [...(selfMetrics === undefined ? [] : [selfMetrics.observer]), ...(setup.observers ?? [])];
  const delivery = createDelivery(sending, report, observers);
  const forwarding = enforcer === undefined || violationWriteKey === undefined ? undefined : createPipeline({ sending: { ...sending, writeKey: violationWriteKey }, report });
  let shaper;
  if (shaping !== undefined && (shaping.beforeSend.length > 0 || enforcer !== undefined)) {
    const listeners: PlanListener[] = [createPlanMetrics()];
    if (forwarding !== undefined && violationWriteKey !== undefined) listeners.push(forwardViolations(forwarding, violationWriteKey));
    const { filtered } = setup;
    shaper = createShaper({ beforeSend: shaping.beforeSend, plan: enforcer === undefined ? undefined : { enforcer, listeners } }, JSON.stringify(sending.writeKey), {
      filtered: (messageId, stage) => {
        filtered?.(messageId, stage);
        delivery.filter(messageId, stage);
      },
      failed: (error) => delivery.discard(error.code, error.message, [...error.messageIds], 1, error.cause),
      report,
    });
  }
  selfMetrics?.observeQueue(() => delivery.size);
  return new Pipeline(delivery, shaper, forwarding, () => selfMetrics?.stop());
}
