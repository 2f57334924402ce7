import type { BeforeSend } from './before-send.js';
import { beforeSendStage } from './before-send.js';
import { planStage, type PlanListener } from './plan-stage.js';
import { Shaper, type ShapingStage } from './shape.js';
import type { PlanEnforcer } from './tracking-plan/index.js';

/** What one entry point shapes with: its `beforeSend` hooks, and its tracking plan with who listens to its reports. */
export interface ShapingSetup {
  readonly beforeSend: readonly BeforeSend[];
  readonly plan?: { readonly enforcer: PlanEnforcer; readonly listeners: readonly PlanListener[] } | undefined;
}

/**
 * The shaper of one entry point: the `beforeSend` hooks, if any, in order, then the plan, if any;
 * undefined when there is neither, so that a message passes untouched, at no cost.
 */
export function createShaper(setup: ShapingSetup, writeKeyJson: string): Shaper | undefined {
  const stages: ShapingStage[] = [];
  if (setup.beforeSend.length > 0) stages.push(beforeSendStage(setup.beforeSend));
  if (setup.plan !== undefined) stages.push(planStage(setup.plan.enforcer, setup.plan.listeners));
  return stages.length === 0 ? undefined : new Shaper(stages, writeKeyJson);
}
