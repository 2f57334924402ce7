import { builtinModule } from './host-process.js';

/** The part of a `diagnostics_channel` channel this package uses. */
export interface NamedChannel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

/** What a runtime without `diagnostics_channel` (Vercel Edge) gets: nobody can subscribe, so nothing is published. */
const SILENT: NamedChannel = Object.freeze({ hasSubscribers: false, publish: () => undefined });

/**
 * The `diagnostics_channel` channel of that name (channels are shared by name across the process,
 * so one made after a subscriber subscribed is the same channel), or a silent one where the
 * runtime has no `diagnostics_channel`.
 */
export function namedChannel(name: string): NamedChannel {
  return builtinModule<typeof import('node:diagnostics_channel')>('node:diagnostics_channel')?.channel(name) ?? SILENT;
}
