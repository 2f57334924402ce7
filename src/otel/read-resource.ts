import { originOf, OWN_ORIGIN, type RecordOrigin } from '../translate/record-origin.js';

/**
 * The origin of the records of each resource an exporter sees, computed once per resource object
 * (an SDK gives every record of a provider the same one), never per record. A record without a
 * resource gets this package's origin with no resource identity.
 */
export class ResourceOrigins {
  private readonly known = new WeakMap<object, RecordOrigin>();

  constructor(private readonly keys: readonly string[]) {}

  /** The origin of a record emitted on `resource` (an OTel `Resource`, or anything with `attributes`). */
  of(resource: unknown): RecordOrigin {
    if (typeof resource !== 'object' || resource === null) return OWN_ORIGIN;
    let origin = this.known.get(resource);
    if (origin === undefined) {
      const attributes = (resource as { attributes?: unknown }).attributes;
      origin = originOf(typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : undefined, this.keys);
      this.known.set(resource, origin);
    }
    return origin;
  }
}
