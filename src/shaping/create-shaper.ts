import type { BeforeSend } from './before-send.js';
import { beforeSendStage } from './before-send.js';
import { Shaper, type ShapingSink } from './shape.js';

/** The shaper of one entry point from its resolved options: the `beforeSend` hooks, if any, in order. */
export function createShaper(beforeSend: readonly BeforeSend[], writeKeyJson: string, sink: ShapingSink): Shaper {
  return new Shaper(beforeSend.length === 0 ? [] : [beforeSendStage(beforeSend)], writeKeyJson, sink);
}
