import { diag } from '@opentelemetry/api';
import { DEFAULTS, ENV } from './defaults.js';
import type { ResourceAttributes } from './resource-options.js';
import { describe, fromEnv, invalid } from './validate.js';

/**
 * `OTEL_RESOURCE_ATTRIBUTES` read as the OpenTelemetry specification says: `key=value` pairs
 * separated by commas, values percent-decoded, blanks around keys and values trimmed. A value that
 * cannot be read is ignored whole, with a warning on the OTel diag logger (as the SDK's detector
 * does), never thrown: a bad environment must not stop the app.
 */
function resourceFromEnv(): Record<string, string> {
  const text = fromEnv(ENV.resourceAttributes);
  const attributes: Record<string, string> = {};
  if (text === undefined) return attributes;
  try {
    for (const pair of text.split(',')) {
      if (pair.trim() === '') continue;
      const at = pair.indexOf('=');
      const key = at < 0 ? '' : pair.slice(0, at).trim();
      if (key === '') throw new Error(`"${pair.trim()}" is not a key=value pair`);
      attributes[key] = decodeURIComponent(pair.slice(at + 1).trim());
    }
  } catch (error) {
    diag.warn(`metarouter-otel: ${ENV.resourceAttributes} is ignored: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  }
  return attributes;
}

function isAttributeValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value));
}

/**
 * The resource of the built-in pipeline's records: `OTEL_RESOURCE_ATTRIBUTES`, then
 * `OTEL_SERVICE_NAME` over it (the specification's precedence), then the `resource` option over
 * both (code wins over environment, as every option here). Throws `ConfigurationError` for a
 * `resource` that is not a map of attribute values.
 */
export function resolveResource(value: unknown): Readonly<Record<string, unknown>> {
  const merged: Record<string, unknown> = resourceFromEnv();
  const serviceName = fromEnv(ENV.serviceName);
  if (serviceName !== undefined) merged['service.name'] = serviceName.trim();
  if (value === undefined) return Object.freeze(merged);
  const expected = 'an object of resource attributes (string, number or boolean values, or arrays of them)';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('resource', expected, describe(value));
  for (const [key, attribute] of Object.entries(value as ResourceAttributes)) {
    const ok = isAttributeValue(attribute) || (Array.isArray(attribute) && attribute.every((item) => item === null || isAttributeValue(item)));
    if (!ok) throw invalid(`resource[${JSON.stringify(key)}]`, 'a string, number, boolean or an array of them', describe(attribute));
    merged[key] = attribute;
  }
  return Object.freeze(merged);
}

/** The `resourceAttributeKeys` option: a list of attribute names (the default list when unset). */
export function resolveResourceKeys(value: unknown): readonly string[] {
  if (value === undefined) return DEFAULTS.resourceAttributeKeys;
  if (!Array.isArray(value) || !value.every((key) => typeof key === 'string' && key !== '')) {
    throw invalid('resourceAttributeKeys', 'a list of non-empty attribute names', Array.isArray(value) ? 'a list with an entry that is not one' : describe(value));
  }
  return Object.freeze([...(value as string[])]);
}
