/**
 * The text of the `ConfigurationError` for a Node-only feature (storage, undici's `dispatcher`, a
 * tracking plan) asked for through the package's edge entry. Each part that owns such a feature
 * holds the slot the Node entry fills when it loads (`provideHttpTransport`, `provideStorage`,
 * `provideAjv`); the edge entry fills none, so their code (and undici's, Ajv's) stays out of an
 * edge bundle.
 */
export function nodeOnly(feature: string): string {
  return `${feature} is available on Node, Bun and Deno only: this runtime loaded the package's edge entry (Cloudflare Workers, Vercel Edge), which leaves out the file system, undici and Ajv`;
}
