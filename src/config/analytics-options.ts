import type { LoggerProvider } from '@opentelemetry/api-logs';
import type { DeliveryOptions } from './delivery-options.js';
import type { ResourceAttributes, ResourceIdentityOptions } from './resource-options.js';
import type { ShapingOptions } from './shaping-options.js';

/** Options of `new Analytics(...)`. */
export interface AnalyticsOptions extends DeliveryOptions, ShapingOptions, ResourceIdentityOptions {
  /**
   * The built-in pipeline's resource: who sends (`service.name`, …), as an OpenTelemetry
   * `Resource` would say. Merged over `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME` (which
   * wins over the former's `service.name`), as the OTel SDK reads them. Not taken with
   * `loggerProvider`, whose own resource is the one sent.
   * @default the resource the two environment variables describe, if any
   */
  resource?: ResourceAttributes;
  /**
   * Emit analytics log records into this OpenTelemetry LoggerProvider (whose pipeline holds a
   * `MetaRouterLogRecordExporter`) instead of the built-in private pipeline. `writeKey` and `host`
   * are still required (each call is size-checked as the message it becomes); the other delivery
   * options belong to that exporter.
   */
  loggerProvider?: LoggerProvider;
  /**
   * Also mark each call as a span event on the active recording span, so the trace shows it. The
   * mark is never shipped as a second message.
   * @default true
   */
  spanEvents?: boolean;
}

/** Options of `closeAndFlush()`. */
export interface CloseOptions {
  /**
   * Milliseconds to wait for delivery before giving up; what is left undelivered is reported with
   * `MR_ERR_SHUTDOWN_TIMEOUT`.
   * @default 30000
   */
  timeout?: number;
}
