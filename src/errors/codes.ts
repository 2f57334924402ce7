/**
 * Every error code this package reports, with the sentence the docs print for it.
 * `docs/errors.md` must list each key; a test fails when it does not.
 */
export const ERROR_CODES = Object.freeze({
  MR_ERR_INVALID_OPTION: 'An option passed to a constructor (or read from the environment) is invalid.',
  MR_ERR_MISSING_IDENTITY: 'A call has neither `userId` nor `anonymousId`.',
  MR_ERR_MISSING_FIELD: 'A call lacks a field its type requires (`event`, `groupId`, `previousId`, `userId`).',
  MR_ERR_INVALID_FIELD: 'A field has the wrong type (for example `properties` that is not a plain object).',
  MR_ERR_NOT_SERIALIZABLE: 'A value cannot be represented in JSON (circular reference, BigInt, a throwing getter or toJSON).',
  MR_ERR_MESSAGE_TOO_LARGE: 'A message is over 32 KB of JSON, or the server answered 413 for a single message.',
  MR_ERR_CLOSED: 'A call or export arrived after `closeAndFlush()` / `shutdown()`; it was not sent.',
  MR_ERR_EMIT_FAILED: "The user's logs pipeline (loggerProvider) threw while taking a record; that message was not sent.",
  MR_ERR_QUEUE_FULL: 'The delivery queue held `maxQueueSize` messages; the new message was dropped.',
  MR_ERR_INVALID_RECORD: 'A log record or span event named `analytics.*` could not be read as an analytics message.',
  MR_ERR_REJECTED: 'The server rejected a batch (400, 422, another 4xx, 501 or 505); the batch was dropped.',
  MR_ERR_PARTIAL_REJECTED: 'The server accepted a batch but rejected some of its messages (207).',
  MR_ERR_PARTIAL_UNREADABLE: 'The server answered 207 with a body that does not say which messages it rejected (not JSON, no `Errors` list naming messageIds, cut off, or over 2 MB); the whole batch is reported and none of it counted delivered.',
  MR_ERR_UNAUTHORIZED: 'The server answered 401 or 403: the writeKey is wrong or not allowed.',
  MR_ERR_ENDPOINT_NOT_FOUND: 'The server answered 404: `host` or `path` is wrong.',
  MR_ERR_DISPATCH_REFUSED: 'The dispatcher refused to send a batch without a network fault (an undici `MockAgent` with no matching interceptor, a request undici cannot form); it was dropped, not retried.',
  MR_ERR_RETRIES_EXHAUSTED: 'A batch still failed with a retryable fault after `maxRetries` retries, or its next retry would pass `maxRetryDuration`; it was dropped.',
  MR_ERR_SHUTDOWN_TIMEOUT: 'The close deadline passed before these messages were delivered.',
  MR_ERR_STORAGE_FAULT: 'Durable storage (`storage.directory`) could not be written, read or synced; messages are held in memory until it works again.',
  MR_ERR_STORAGE_CORRUPT: 'A torn or corrupt part of a storage file was cut off (the intact records are sent); the file is kept as `*.corrupt`.',
  MR_ERR_STORAGE_ENTRY_SKIPPED: 'An entry of `storage.directory` named like a storage file (a segment, `ack`) is not a regular file (a directory, a symbolic link, a FIFO); it is never opened through: a segment is left unread, an `ack` renamed aside (the spool is then sent again from its oldest record).',
  MR_ERR_STORAGE_UNKNOWN_FORMAT: 'A segment of `storage.directory` is in a storage format version this version of the package does not know (written by a newer one); it is reported at each start and left where it is, neither read nor removed.',
  MR_ERR_EVICTED: 'Storage held `storage.maxBytes` and `storage.whenFull` is `drop_oldest`: these, the oldest undelivered messages, were dropped to make room.',
  MR_ERR_KEPT_IN_STORAGE: 'The close deadline passed before these messages were delivered; they stay in `storage.directory` for the next start (a bridge with `queue`: they stay in the shared queue, released for any bridge to send).',
  MR_ERR_QUEUE_UNAVAILABLE: "A bridge's shared queue (`queue`, PostgreSQL) could not be reached, restarted, failed over, or did not answer in time: requests are answered 503 with Retry-After and `/readyz` fails until it answers again; the bridge reconnects by itself. A statement the database refused for one request (not an outage) is reported with its messageIds, and that request answered 503. At start, `startBridge` rejects with it.",
  MR_ERR_QUEUE_SCHEMA: "The shared queue's tables are at a schema version newer than this package knows (a newer bridge migrated them); the bridge does not start.",
  MR_ERR_PLAN_VIOLATION: 'A message breaks the tracking plan (unplanned event or property, missing required field, wrong type, invalid value).',
  MR_ERR_BEFORE_SEND_FAILED: 'A `beforeSend` hook threw; that message was not sent.',
  MR_ERR_BEFORE_SEND_ASYNC: 'A `beforeSend` hook returned a Promise (hooks must be synchronous); that message was not sent.',
  MR_ERR_BEFORE_SEND_INVALID: 'A `beforeSend` hook returned something that is not a valid message (not a plain object or `null`, breaking the Segment Spec, not JSON, over 32 KB); that message was not sent.',
  MR_ERR_REENTRANT_CALL: 'A call or export reached an entry point from inside one of its own `beforeSend` hooks (the hook sends through the instance it shapes); that message was not sent.',
  MR_ERR_UNKNOWN_MESSAGE: '`whenDelivered(messageId)` was asked about a message this instance does not hold: never sent through it, already settled (delivered or reported), refused at the call, or still on disk from an earlier process.',
  MR_ERR_OUTCOME_UNAVAILABLE: '`whenDelivered(messageId)` was called on an `Analytics` with a `loggerProvider`: the records leave through the user\'s logs pipeline, whose exporter is not this instance\'s, so it cannot know one message\'s outcome.',
  MR_ERR_SINK_WRITE_FAILED: "The local sink could not append to its `out` file; it keeps serving and keeping messages in memory, but stops writing the file.",
} as const);

/** A stable string that identifies the kind of an error. */
export type ErrorCode = keyof typeof ERROR_CODES;
