import type { LibraryInfo, RecordOrigin } from '../../translate/record-origin.js';
import { originOf } from '../../translate/record-origin.js';
import { objectOf, readKeyValues } from './read-otlp-value.js';

const SDK_NAME = 'telemetry.sdk.name';
const SDK_VERSION = 'telemetry.sdk.version';
const SDK_LANGUAGE = 'telemetry.sdk.language';

/** What names a sender that says nothing of itself: the records came over OTLP, from someone else. */
const UNNAMED_SENDER = 'otlp';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The library of a sender: its OTel SDK (`telemetry.sdk.*`), else the scope that made the record. */
function libraryOf(resource: Readonly<Record<string, unknown>>, scope: Record<string, unknown> | undefined): LibraryInfo {
  const sdk = text(resource[SDK_NAME]);
  if (sdk !== undefined) {
    const version = text(resource[SDK_VERSION]);
    const language = text(resource[SDK_LANGUAGE]);
    return { name: sdk, ...(version === undefined ? {} : { version }), ...(language === undefined ? {} : { language }) };
  }
  const name = text(scope?.name);
  const version = text(scope?.version);
  return { name: name ?? UNNAMED_SENDER, ...(name !== undefined && version !== undefined ? { version } : {}) };
}

/**
 * The origins of the records of one OTLP `resourceLogs` / `resourceSpans` entry, made on demand,
 * once per entry (once per scope when the resource does not name its SDK), and only when the entry
 * holds an analytics record: most of what a Collector forwards is not ours.
 */
export class OtlpOrigins {
  private resource: Readonly<Record<string, unknown>> | undefined;
  private shared: RecordOrigin | undefined;
  private readonly byScope = new Map<unknown, RecordOrigin>();

  constructor(
    private readonly entry: Record<string, unknown>,
    private readonly keys: readonly string[],
  ) {}

  /** The origin of a record of the given `scopeLogs` / `scopeSpans` entry. */
  of(scopeEntry: Record<string, unknown>): RecordOrigin {
    this.resource ??= this.entry.resource == null ? {} : readKeyValues(objectOf(this.entry.resource, 'resource').attributes, false);
    const resource = this.resource;
    if (text(resource[SDK_NAME]) !== undefined) return (this.shared ??= originOf(resource, this.keys, libraryOf(resource, undefined)));
    const scope = scopeEntry.scope == null ? undefined : objectOf(scopeEntry.scope, 'scope');
    let origin = this.byScope.get(scopeEntry);
    if (origin === undefined) {
      origin = originOf(resource, this.keys, libraryOf(resource, scope));
      this.byScope.set(scopeEntry, origin);
    }
    return origin;
  }
}
