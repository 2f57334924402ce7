import type { DeliveryOptions } from './delivery-options.js';
import type { ResourceIdentityOptions } from './resource-options.js';
import type { ShapingOptions } from './shaping-options.js';

/**
 * Options of `new MetaRouterLogRecordExporter(...)`, `new MetaRouterLogRecordProcessor(...)` and
 * `new MetaRouterSpanExporter(...)`. The resource identity comes from each record's resource.
 */
export type ExporterOptions = DeliveryOptions & ShapingOptions & ResourceIdentityOptions;
