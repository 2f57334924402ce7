import type { IncomingHttpHeaders } from 'node:http';
import { maskWriteKey } from './mask-write-key.js';
import type { RequestFacts } from './message-log.js';

/** One `POST /v1/batch` request and what the sink answered. */
export interface RequestRecord extends RequestFacts {
  readonly status: number;
  /** The simulated fault that decided the answer, if any. */
  readonly fault: string | undefined;
  /** Why the request was refused, for 4xx answers of the sink's own. */
  readonly error: string | undefined;
}


function basicAuthUser(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const user = decoded.slice(0, decoded.includes(':') ? decoded.indexOf(':') : undefined);
  return user === '' ? undefined : user;
}

/** The facts of a request the page shows beside each of its messages. */
export function requestFacts(
  id: number,
  headers: IncomingHttpHeaders,
  body: { count: number; bytes: number; gzip: boolean; sentAt: unknown; writeKey: unknown },
  now: Date,
): RequestFacts {
  const sentAtMillis = typeof body.sentAt === 'string' ? Date.parse(body.sentAt) : Number.NaN;
  const fromBody = typeof body.writeKey === 'string' && body.writeKey !== '' ? body.writeKey : undefined;
  const key = fromBody ?? basicAuthUser(headers);
  return {
    id,
    receivedAt: now.toISOString(),
    count: body.count,
    bytes: body.bytes,
    gzip: body.gzip,
    sentAt: body.sentAt,
    skewMillis: Number.isNaN(sentAtMillis) ? undefined : now.getTime() - sentAtMillis,
    writeKey: key === undefined ? undefined : maskWriteKey(key),
    writeKeySource: key === undefined ? undefined : fromBody !== undefined ? 'body' : 'basic auth',
  };
}

/** The most recent requests, bounded. */
export class RequestLog {
  private readonly records: RequestRecord[] = [];

  constructor(private readonly maxRecords: number) {}

  add(record: RequestRecord): void {
    this.records.push(record);
    if (this.records.length > this.maxRecords) this.records.splice(0, this.records.length - this.maxRecords);
  }

  list(): readonly RequestRecord[] {
    return this.records;
  }
}
