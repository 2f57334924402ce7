/** The package's name and version, as sent in `context.library`. A test keeps it equal to package.json. */
export const LIBRARY = Object.freeze({ name: 'metarouter-otel', version: '0.1.0' });
