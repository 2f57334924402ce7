import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LIMITS } from '../config/defaults.js';
import type { SinkOptions } from '../config/sink-options.js';
import { resolveSinkOptions, type SinkConfig } from '../config/resolve-sink-options.js';
import { ErrorChannel } from '../errors/error-channel.js';
import type { MetaRouterError } from '../errors/metarouter-error.js';
import { serveDebugger } from './debugger-routes.js';
import { EventStream } from './event-stream.js';
import { FaultPlan, type FaultState } from './fault-plan.js';
import { createPlanEnforcer } from '../shaping/tracking-plan/index.js';
import { planProblems, specProblems, type ProblemCheck } from './find-problems.js';
import { ingestBatch } from './ingest-batch.js';
import { MessageLog } from './message-log.js';
import { NdjsonFile } from './ndjson-file.js';
import { RequestLog } from './request-log.js';

/** Requests kept for the debugger's requests panel. */
const MAX_REQUEST_RECORDS = 1000;

function hostForUrl(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

/**
 * A running local sink: a MetaRouter-compatible ingestion endpoint and its live debugger page.
 * Failures after the start (the `out` file cannot be written) are reported on `on('error', fn)`,
 * never thrown; the sink keeps serving.
 */
export class Sink extends ErrorChannel<MetaRouterError> {
  /** Base URL to use as `host`. */
  readonly url: string;
  readonly port: number;
  /** The debugger page's URL (with `?token=` when the sink has a token). */
  readonly debuggerUrl: string;

  private readonly log: MessageLog;
  private readonly requests = new RequestLog(MAX_REQUEST_RECORDS);
  private readonly faults = new FaultPlan();
  private readonly stream: EventStream;
  private requestIds = 0;
  private readonly instance = randomUUID();

  /** @internal Use {@link startSink}. */
  constructor(
    private readonly config: SinkConfig,
    private readonly server: Server,
    private readonly file: NdjsonFile | undefined,
    checks: readonly ProblemCheck[],
  ) {
    super();
    const { port } = server.address() as AddressInfo;
    this.port = port;
    this.url = `http://${hostForUrl(config.hostname)}:${port}`;
    this.debuggerUrl = `${this.url}/${config.token === undefined ? '' : `?token=${encodeURIComponent(config.token)}`}`;
    this.log = new MessageLog(config.maxHistory, checks);
    this.stream = new EventStream(config.maxStreamClients, LIMITS.sinkMaxStreamBufferBytes);
    if (config.fault !== undefined) this.faults.arm(config.fault.kind, config.fault.count);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      this.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"sink failure"}');
        else response.destroy();
      });
    });
  }

  /** The messages kept (at most `maxHistory`), oldest first. */
  get messages(): Record<string, unknown>[] {
    return this.log.messages();
  }

  /** The simulated fault armed for the next requests, if any. */
  get fault(): FaultState | undefined {
    return this.faults.state;
  }

  /** Debugger pages connected to the live stream now. */
  get streamClients(): number {
    return this.stream.size;
  }

  /** Bytes written to the debugger streams that their pages have not read yet. */
  get streamBufferedBytes(): number {
    return this.stream.bufferedBytes;
  }

  /** Debugger streams dropped because their page stopped reading. */
  get droppedStreamClients(): number {
    return this.stream.dropped;
  }

  /** Stops listening, ends every stream and closes the `out` file. */
  async close(): Promise<void> {
    this.stream.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.file?.close();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sink');
    if (url.pathname === '/v1/batch' && request.method === 'POST') {
      return ingestBatch(request, response, {
        config: this.config,
        log: this.log,
        requests: this.requests,
        faults: this.faults,
        stream: this.stream,
        file: this.file,
        nextRequestId: () => ++this.requestIds,
      });
    }
    const parts = { config: this.config, log: this.log, requests: this.requests, faults: this.faults, stream: this.stream, instance: this.instance };
    if (await serveDebugger(request, response, url, parts)) return;
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"POST /v1/batch, or the debugger at /"}');
  }
}

/**
 * Starts a local MetaRouter-compatible ingestion endpoint (`POST /v1/batch`, gzip accepted) for
 * development and tests, with a live debugger page at its root. It keeps the messages it receives
 * (bounded), reports each as a readable line, and can append them to an NDJSON file. Rejects with a
 * `ConfigurationError` for a bad option or an `out` file that cannot be written.
 */
export async function startSink(options: SinkOptions = {}): Promise<Sink> {
  const config = resolveSinkOptions(options);
  // Compiled before anything is opened: a bad plan throws its ConfigurationError here.
  const enforcer = createPlanEnforcer({ trackingPlan: config.trackingPlan });
  const checks = enforcer === undefined ? [specProblems] : [specProblems, planProblems(enforcer)];
  let sink: Sink | undefined;
  // Nothing is written before the sink exists, so a failure always has a channel to go to.
  const file = config.out === undefined ? undefined : await NdjsonFile.open(config.out, (error) => sink?.report(error));
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.hostname, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await file?.close();
    throw error;
  }
  sink = new Sink(config, server, file, checks);
  return sink;
}
