/** Every default and fixed limit of the package, in one place. */
export const DEFAULTS = Object.freeze({
  path: '/v1/batch',
  flushAt: 500,
  flushInterval: 10_000,
  maxQueueSize: 10_000,
  maxRetries: 10,
  maxRetryDuration: 120_000,
  httpRequestTimeout: 10_000,
  maxConcurrentRequests: 4,
  compression: 'none' as const,
  disable: false,
  allowInsecureHttp: false,
  spanEvents: true,
  closeTimeout: 30_000,
  /** The OTLP/HTTP port, as the Collector's receiver uses. */
  bridgePort: 4318,
  bridgeHostname: '127.0.0.1',
  /** Largest OTLP request body the bridge takes, after decompression. */
  bridgeMaxBodyBytes: 64 * 1024 * 1024,
  /** What the bridge asks clients to wait when its queue is full or it is draining. */
  bridgeRetryAfterSeconds: 5,
  /** Bytes of messages `storage.directory` may hold. */
  storageMaxBytes: 256 * 1024 * 1024,
  /** Milliseconds between syncs of storage to the disk; 0: never (survives a killed process, not a power loss). */
  storageSyncInterval: 0,
  /** What a full `storage.directory` drops: the newest messages (refused at the call). */
  storageWhenFull: 'drop_newest',
  /** The bridge's shared PostgreSQL queue (`QueueOptions`), named as they are. */
  queue: Object.freeze({
    /** Segment's dedup window. */
    dedupWindow: 24 * 60 * 60 * 1000,
    /** Short enough that a killed bridge's events go out within a minute. */
    leaseMillis: 30_000,
    partitionMillis: 60 * 60 * 1000,
    maxBytes: 1024 * 1024 * 1024,
    whenFull: 'drop_newest' as const,
    maxConnections: 8,
  }),
  /** Tracking plan: what an event the plan does not list does. */
  unplannedEvents: 'report' as const,
  /** Tracking plan: what a property or trait the plan does not list does. */
  unplannedProperties: 'keep' as const,
  /** Tracking plan: what a missing, mistyped or otherwise invalid field does. */
  otherViolations: 'report' as const,
  /** Tracking plan: record omitted names in `context.protocols.omitted`. */
  recordOmittedProperties: true,
  /** The resource attributes sent as `context.otel.resource`: a service's identity. */
  resourceAttributeKeys: Object.freeze(['service.name', 'service.namespace', 'service.version', 'service.instance.id', 'deployment.environment.name'] as const),
  /** The local sink's options (`SinkOptions`), named as they are. */
  sink: Object.freeze({
    port: 8088,
    hostname: '127.0.0.1',
    maxBodyBytes: 1024 * 1024,
    /** A busy day of development, at a few hundred bytes a message. */
    maxHistory: 100_000,
    maxStreamClients: 100,
    retryAfterSeconds: 1,
    slowMillis: 3000,
  }),
});

export const LIMITS = Object.freeze({
  /** The longest delay Node timers take (2^31 - 1 ms); longer ones would fire at once. */
  maxTimerMillis: 2_147_483_647,
  /** A message over this many UTF-8 bytes of JSON is rejected. */
  maxMessageBytes: 32 * 1024,
  /** A request body stays at or below this many bytes, under the server's 500 KB. */
  maxBatchBytes: 480 * 1024,
  /** The longest messageId the wire accepts. */
  maxMessageIdLength: 100,
  /** The most of a response body that is ever read, but a 207's. */
  maxResponseBytes: 64 * 1024,
  /** The most one message takes in storage: its JSON, its messageId (100 characters in UTF-8) and 10 bytes of framing. */
  maxStoredRecordBytes: 32 * 1024 + 400 + 10,
  /**
   * The most of a 207 body that is read: enough to name every message of a full batch (480 KB of
   * messages of at least ~200 bytes each, each id up to 100 characters with the server's reason).
   */
  maxPartialResponseBytes: 2 * 1024 * 1024,
  /** The largest tracking plan file that is read. */
  maxPlanBytes: 16 * 1024 * 1024,
  /** Bytes queued for a debugger page that does not read its stream before the local sink drops it. */
  sinkMaxStreamBufferBytes: 4 * 1024 * 1024,
});

/** Environment variables read when an option is omitted. A blank variable counts as unset. */
export const ENV = Object.freeze({
  writeKey: 'METAROUTER_WRITE_KEY',
  host: 'METAROUTER_HOST',
  bridgeToken: 'METAROUTER_BRIDGE_TOKEN',
  /** The bridge's `queue` URL, which keeps its password out of the process list. */
  queueUrl: 'METAROUTER_QUEUE_URL',
  /** The OpenTelemetry SDK's variables, read as its resource detector reads them. */
  serviceName: 'OTEL_SERVICE_NAME',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
});
