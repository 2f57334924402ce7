import type { HrTime, TimeInput } from '@opentelemetry/api';

// These few definitions mirror @opentelemetry/core instead of importing it: core 2.x and 3.x each
// pin a different @opentelemetry/api range as a peer, so depending on either line would refuse
// installation next to the other. The values below are the ones the OTel SDKs themselves use.

/** The result codes of the OTel exporter contract (`ExportResultCode` in @opentelemetry/core). */
export const ExportResultCode = Object.freeze({ SUCCESS: 0, FAILED: 1 } as const);

/** What an OTel exporter reports to its processor. */
export interface ExportResult {
  code: (typeof ExportResultCode)[keyof typeof ExportResultCode];
  error?: Error;
}

/** Epoch milliseconds of an OTel high-resolution time `[seconds, nanoseconds]`. */
export function hrTimeToMillis(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

/** An OTel `TimeInput` (epoch ms, Date, or HrTime) as HrTime; the current time when absent. */
export function toHrTime(time: TimeInput | undefined): HrTime {
  if (Array.isArray(time)) return time as HrTime;
  const millis = time === undefined ? Date.now() : time instanceof Date ? time.getTime() : (time as number);
  const seconds = Math.floor(millis / 1e3);
  return [seconds, Math.round((millis - seconds * 1e3) * 1e6)];
}
