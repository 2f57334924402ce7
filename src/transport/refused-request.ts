/**
 * Error codes of requests a dispatcher refuses without a network fault: sending the same request
 * again would be refused again, so the batch is not retried.
 */
const REFUSED_CODES: ReadonlySet<string> = new Set([
  // undici's MockAgent found no interceptor matching the request.
  'UND_MOCK_ERR_MOCK_NOT_MATCHED',
  // undici cannot form the request (a path or header the wire cannot carry).
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  // Node refused an argument of the request.
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_URL',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
  'ERR_UNESCAPED_CHARACTERS',
]);

/** True when a dispatcher's error says the request itself was refused, not that the network failed. */
export function isRefusedRequest(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && REFUSED_CODES.has(code);
}
