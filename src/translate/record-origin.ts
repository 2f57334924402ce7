import { DEFAULTS } from '../config/defaults.js';
import { LIBRARY } from '../version.js';

/** A resource attribute value as OpenTelemetry allows it (arrays of primitives included). */
export type ResourceValue = string | number | boolean | readonly (string | number | boolean | null)[];

/** `context.library` of a message: the SDK that made the record. */
export interface LibraryInfo {
  readonly name: string;
  readonly version?: string;
  /** The SDK's language, when the record came from another process's OpenTelemetry SDK. */
  readonly language?: string;
}

/**
 * Who made a record and where: `context.library`, and the resource identity sent as
 * `context.otel.resource`. Built once per resource (and library), never per message: its JSON
 * texts are concatenated into each message as they are.
 */
export interface RecordOrigin {
  readonly library: LibraryInfo;
  /** The picked resource attributes; undefined when the resource had none of them. */
  readonly resource: Readonly<Record<string, ResourceValue>> | undefined;
  /** `library` as JSON text. */
  readonly libraryJson: string;
  /** `resource` as JSON text, when there is one. */
  readonly resourceJson: string | undefined;
}

function isResourceValue(value: unknown): value is ResourceValue {
  const type = typeof value;
  if (type === 'string' || type === 'boolean' || (type === 'number' && Number.isFinite(value))) return true;
  return Array.isArray(value) && value.every((item) => item === null || typeof item === 'string' || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item)));
}

/**
 * The origin of records made by `library` on a resource with these attributes: the attributes named
 * by `keys` that it has, in the order of `keys`. Values that are not attribute values (objects,
 * non-finite numbers) are left out rather than sent as something else. Pure; never throws for a
 * well-formed attribute map.
 */
export function originOf(attributes: Readonly<Record<string, unknown>> | undefined, keys: readonly string[], library: LibraryInfo = LIBRARY): RecordOrigin {
  let resource: Record<string, ResourceValue> | undefined;
  if (attributes !== undefined) {
    for (const key of keys) {
      const value = attributes[key];
      if (!isResourceValue(value)) continue;
      resource ??= {};
      resource[key] = Array.isArray(value) ? Object.freeze([...value]) : value;
    }
  }
  const frozen = resource === undefined ? undefined : Object.freeze(resource);
  const info = Object.freeze({ ...library });
  return Object.freeze({ library: info, resource: frozen, libraryJson: JSON.stringify(info), resourceJson: frozen === undefined ? undefined : JSON.stringify(frozen) });
}

/** The origin of this package's own records with no resource: `context.library` only. */
export const OWN_ORIGIN: RecordOrigin = originOf(undefined, DEFAULTS.resourceAttributeKeys);
