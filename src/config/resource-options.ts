/** OpenTelemetry resource attributes by name, as a `Resource` holds them. */
export type ResourceAttributes = Readonly<Record<string, string | number | boolean | readonly (string | number | boolean | null)[]>>;

/** Which attributes of the emitting resource every message carries in `context.otel.resource`. */
export interface ResourceIdentityOptions {
  /**
   * The resource attributes sent in each message's `context.otel.resource`, those the resource has,
   * in this order; `[]` sends none. Read once per resource, never per message.
   * @default ['service.name', 'service.namespace', 'service.version', 'service.instance.id', 'deployment.environment.name']
   */
  resourceAttributeKeys?: readonly string[];
}
