import type { DeliveryOptions } from './delivery-options.js';
import type { ShapingOptions } from './shaping-options.js';

/** Options of `new MetaRouterLogRecordExporter(...)` and `new MetaRouterSpanExporter(...)`. */
export type ExporterOptions = DeliveryOptions & ShapingOptions;
