import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SinkConfig } from '../config/resolve-sink-options.js';
import { EventStream } from './event-stream.js';
import { faultAnswer, type FaultPlan } from './fault-plan.js';
import { formatMessage } from './format-message.js';
import type { MessageLog } from './message-log.js';
import type { NdjsonFile } from './ndjson-file.js';
import { readBatch } from './read-batch.js';
import { BodyRefused, readBody } from './read-body.js';
import { requestFacts, type RequestLog, type RequestRecord } from './request-log.js';

/** What `POST /v1/batch` works with. */
export interface IngestParts {
  readonly config: SinkConfig;
  readonly log: MessageLog;
  readonly requests: RequestLog;
  readonly faults: FaultPlan;
  readonly stream: EventStream;
  readonly file: NdjsonFile | undefined;
  nextRequestId(): number;
}

function answer(response: ServerResponse, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
}

/**
 * Takes one batch: the whole body is read and checked before anything is kept; then a simulated
 * fault may answer instead (keeping nothing, as a failing server would); otherwise every message is
 * kept, written to the file, printed, and published to the debugger pages.
 */
export async function ingestBatch(request: IncomingMessage, response: ServerResponse, parts: IngestParts): Promise<void> {
  const { config, log, requests, faults, stream, file } = parts;
  const id = parts.nextRequestId();
  const now = new Date();
  const refuse = (status: number, error: string, facts: { count: number; bytes: number; gzip: boolean }): void => {
    const record: RequestRecord = {
      ...requestFacts(id, request.headers, { ...facts, sentAt: undefined, writeKey: undefined }, now),
      status,
      fault: undefined,
      error,
    };
    requests.add(record);
    stream.publish('request', record);
    answer(response, status, JSON.stringify({ error }));
  };

  let body;
  try {
    body = await readBody(request, config.maxBodyBytes);
  } catch (error) {
    const tooLarge = error instanceof BodyRefused && error.tooLarge;
    // Past the cap the rest of the body is not read; the connection closes after the answer.
    if (tooLarge) response.setHeader('connection', 'close');
    return refuse(tooLarge ? 413 : 400, tooLarge ? `body over ${config.maxBodyBytes} bytes` : 'body cannot be read (broken gzip?)', { count: 0, bytes: 0, gzip: false });
  }
  const batch = readBatch(body.text);
  if ('error' in batch) return refuse(400, batch.error, { count: 0, bytes: body.wireBytes, gzip: body.gzip });

  const facts = requestFacts(id, request.headers, { count: batch.messages.length, bytes: body.wireBytes, gzip: body.gzip, sentAt: batch.sentAt, writeKey: batch.writeKey }, now);
  const fault = faults.take();
  if (fault !== undefined) stream.publish('faults', faults.state ?? null);
  if (fault !== undefined && fault !== 'slow') {
    const reply = faultAnswer(fault, config.retryAfterSeconds);
    const record: RequestRecord = { ...facts, status: reply.status, fault, error: undefined };
    requests.add(record);
    stream.publish('request', record);
    return answer(response, reply.status, reply.body, reply.headers);
  }
  if (fault === 'slow') await sleep(config.slowMillis, undefined, { ref: false });

  const entries = log.add(batch.messages, facts);
  file?.write(batch.messages);
  if (config.onLine !== undefined) for (const entry of entries) config.onLine(formatMessage(entry.message, entry.problems));
  const record: RequestRecord = { ...facts, status: 200, fault, error: undefined };
  requests.add(record);
  stream.publish('request', record);
  if (entries.length > 0) stream.publish('messages', entries, log.lastSeq);
  answer(response, 200, '{"success":true}');
}
