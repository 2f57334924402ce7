import { readThrown } from '../errors/metarouter-error.js';
import type { AnalyticsRecord, EventType, PlainParts } from './analytics-record.js';
import { checkFields, checkMessageId, type FieldProblem } from './check-fields.js';
import { jsonCopy, NOT_COPIED } from './json-copy.js';
import type { PickedFields } from './pick-fields.js';
import type { RecordOrigin } from './record-origin.js';

/** A call's parts before serialization, as the facade or a reader found them. */
export interface RecordInput {
  readonly type: EventType;
  /** The call's fields as `pickFields` read them. */
  readonly picked: PickedFields;
  readonly messageId: string | undefined;
  readonly timestamp: string;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** `context.library` and `context.otel.resource`; this package with no resource when absent. */
  readonly origin?: RecordOrigin | undefined;
}

function notSerializable(field: string, error: unknown): FieldProblem {
  const { text, cause } = readThrown(error);
  return { code: 'MR_ERR_NOT_SERIALIZABLE', field, message: `${field} cannot be represented in JSON: ${text}`, cause };
}

/** Names the field whose serialization throws; only runs after a failure, off the hot path. */
function culprit(fields: Record<string, unknown>): string {
  for (const [key, value] of Object.entries(fields)) {
    try {
      JSON.stringify(value);
    } catch {
      return key;
    }
  }
  return 'properties';
}

/**
 * Checks a call against the Segment Spec and serializes its user data, once, into an
 * {@link AnalyticsRecord}. What is serialized is the data as it is now: later changes to the
 * caller's objects change nothing. With `keepPlain` (the entry point has shaping stages), the data
 * is first copied ({@link jsonCopy}), and the copy is what is serialized and kept on the record
 * (when some of it is not data the copy covers, the originals are serialized and no copy is kept).
 * Returns the first problem instead when the call is invalid or its data cannot be represented in
 * JSON; never throws.
 */
export function buildRecord(input: RecordInput, keepPlain = false): AnalyticsRecord | FieldProblem {
  const { fields } = input.picked;
  const context = input.picked.context as Record<string, unknown> | undefined;
  const problem = checkFields(input.type, fields, context) ?? checkMessageId(input.messageId);
  if (problem !== undefined) return problem;
  let plain: PlainParts | undefined;
  if (keepPlain) {
    const fieldsCopy = jsonCopy(fields);
    const contextCopy = context === undefined ? {} : jsonCopy(context);
    if (fieldsCopy !== NOT_COPIED && contextCopy !== NOT_COPIED) plain = { fields: fieldsCopy, context: contextCopy };
  }
  let fieldsJson: string;
  let contextJson = '{}';
  try {
    fieldsJson = JSON.stringify(plain?.fields ?? fields);
  } catch (error) {
    return notSerializable(culprit(fields), error);
  }
  if (context !== undefined) {
    try {
      contextJson = JSON.stringify(plain?.context ?? context);
    } catch (error) {
      return notSerializable('context', error);
    }
  }
  return {
    type: input.type,
    fields: fieldsJson,
    context: contextJson,
    messageId: input.messageId,
    timestamp: input.timestamp,
    traceId: input.traceId,
    spanId: input.spanId,
    origin: input.origin,
    plain,
  };
}

/** True when {@link buildRecord} returned a problem rather than a record. */
export function isProblem(value: object): value is FieldProblem {
  return 'code' in value;
}
