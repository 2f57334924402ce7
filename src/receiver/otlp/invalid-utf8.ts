/**
 * Decoded requests whose bytes held text that is not valid UTF-8. Such text is decoded with U+FFFD
 * in place of the bad bytes, so that one bad byte in a record that is not ours (an application's
 * log line) does not refuse the whole request; the analytics records that hold such text are
 * rejected, one by one, instead of being sent altered.
 */
const withInvalidUtf8 = new WeakSet<object>();

/** Notes that `request` was decoded from bytes with invalid UTF-8. */
export function noteInvalidUtf8(request: object): void {
  withInvalidUtf8.add(request);
}

/** True when `request` was decoded from bytes with invalid UTF-8. */
export function hadInvalidUtf8(request: unknown): boolean {
  return typeof request === 'object' && request !== null && withInvalidUtf8.has(request);
}
