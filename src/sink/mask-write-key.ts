/** Shows enough of a writeKey to tell two apart, never enough to use it. */
export function maskWriteKey(key: string): string {
  return key.length <= 8 ? '•'.repeat(key.length) : `${key.slice(0, 2)}${'•'.repeat(6)}${key.slice(-2)}`;
}
