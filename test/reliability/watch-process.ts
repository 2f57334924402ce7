import { setTimeout as sleep } from 'node:timers/promises';

/** What the process saw while a test ran: warnings, unhandled rejections, uncaught exceptions. */
export interface ProcessWatch {
  readonly warnings: Error[];
  readonly unhandled: unknown[];
  readonly uncaught: unknown[];
  /** Waits a moment for late rejections and timers, then puts the process listeners back. */
  stop(): Promise<void>;
}

/**
 * Records process warnings (and keeps Node from printing them: tests print nothing), unhandled
 * rejections and uncaught exceptions, so that a test can assert there were none.
 */
export function watchProcess(): ProcessWatch {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  const warnings: Error[] = [];
  const unhandled: unknown[] = [];
  const uncaught: unknown[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  const onRejection = (reason: unknown) => unhandled.push(reason);
  const onException = (error: unknown) => uncaught.push(error);
  process.on('warning', onWarning);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    warnings,
    unhandled,
    uncaught,
    async stop() {
      await sleep(20);
      process.off('warning', onWarning);
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      for (const printer of printers) process.on('warning', printer as (warning: Error) => void);
    },
  };
}

/** A one-line account of a thrown value, for assertion messages. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message} (code ${String((value as { code?: unknown }).code)})\n${value.stack ?? ''}`;
  return `a thrown ${typeof value}: ${String(value)}`;
}
