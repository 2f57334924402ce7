import { isUtf8 } from 'node:buffer';
import { Reader } from 'protobufjs/minimal';
import { noteInvalidUtf8 } from './otlp/invalid-utf8.js';
import { OtlpShapeError } from './otlp/read-otlp-value.js';
import { google, opentelemetry } from './generated/otlp.js';

/** The two OTLP signals the bridge takes. */
export type Signal = 'logs' | 'traces';

/** The two OTLP/HTTP encodings. */
export type Encoding = 'protobuf' | 'json';

const MEDIA_TYPES: Readonly<Record<Encoding, string>> = Object.freeze({ protobuf: 'application/x-protobuf', json: 'application/json' });

const collector = opentelemetry.proto.collector;

/** The OTLP encoding a `Content-Type` names (parameters such as charset are ignored), or undefined. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === MEDIA_TYPES.protobuf) return 'protobuf';
  return type === MEDIA_TYPES.json ? 'json' : undefined;
}

/** The `Content-Type` of an answer in `encoding`. */
export function mediaTypeOf(encoding: Encoding): string {
  return MEDIA_TYPES[encoding];
}

/**
 * A protobuf reader whose strings never fail to decode: bytes that are not UTF-8 (which the
 * generated code would refuse, failing the whole request) become U+FFFD, and `invalid` says so.
 */
function lenientReader(body: Buffer): { reader: Reader; invalid: () => boolean } {
  const reader = Reader.create(body);
  let invalid = false;
  reader.stringVerify = function readString(this: Reader): string {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > this.len) throw new RangeError(`index out of range: ${this.pos} + ${length} > ${this.len}`);
    const bytes = body.subarray(this.pos, end);
    this.pos = end;
    if (!isUtf8(bytes)) invalid = true;
    return bytes.toString('utf8');
  };
  return { reader, invalid: () => invalid };
}

/**
 * Decodes an export request body into the field tree both encodings share (camelCase names):
 * protobuf through the code generated from `proto/`, OTLP JSON by `JSON.parse`. Throws when the
 * body is not a request. Text that is not UTF-8 does not make it unreadable: see `invalid-utf8.ts`.
 */
export function decodeRequest(signal: Signal, encoding: Encoding, body: Buffer): unknown {
  if (encoding === 'json') {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OtlpShapeError('the body is not a JSON object');
    if (!isUtf8(body)) noteInvalidUtf8(parsed);
    return parsed;
  }
  const { reader, invalid } = lenientReader(body);
  // Unknown fields (those proto/ leaves out) are skipped, never kept on the decoded objects.
  reader.discardUnknown = true;
  const request = signal === 'logs' ? collector.logs.v1.ExportLogsServiceRequest.decode(reader) : collector.trace.v1.ExportTraceServiceRequest.decode(reader);
  if (invalid()) noteInvalidUtf8(request);
  return request;
}

/** What a 200 answer reports: nothing, or how many items were rejected and why. */
export interface PartialSuccess {
  readonly rejected: number;
  readonly errorMessage: string;
}

/**
 * The body of a 200 answer: an `Export…ServiceResponse`, whose `partial_success` stays unset when
 * nothing was rejected (as OTLP requires).
 */
export function encodeResponse(signal: Signal, encoding: Encoding, partial: PartialSuccess | undefined): Uint8Array | string {
  const counted = signal === 'logs' ? 'rejectedLogRecords' : 'rejectedSpans';
  const partialSuccess = partial === undefined ? undefined : { [counted]: partial.rejected, errorMessage: partial.errorMessage };
  if (encoding === 'json') return JSON.stringify(partialSuccess === undefined ? {} : { partialSuccess });
  const response = partialSuccess === undefined ? {} : { partialSuccess };
  return signal === 'logs'
    ? collector.logs.v1.ExportLogsServiceResponse.encode(response).finish()
    : collector.trace.v1.ExportTraceServiceResponse.encode(response).finish();
}

/** The body of a 4xx/5xx answer: a `google.rpc.Status` with a message, as OTLP/HTTP specifies. */
export function encodeStatus(encoding: Encoding, message: string): Uint8Array | string {
  return encoding === 'json' ? JSON.stringify({ message }) : google.rpc.Status.encode({ message }).finish();
}
