import type { StorageWhenFull } from './delivery-options.js';
import type { QueueOptions } from './bridge-options.js';
import { DEFAULTS, LIMITS } from './defaults.js';
import { checkInteger, CONTROL_OR_SPACE, describe, invalid, oneOf, readOptions } from './validate.js';

/** `queue` after defaults and validation. */
export interface QueueConfig {
  /** The connection URL as given; it may hold a password: never print it, print `shown`. */
  readonly url: string;
  /** The URL without credentials or query, for messages. */
  readonly shown: string;
  readonly dedupWindow: number;
  readonly leaseMillis: number;
  readonly partitionMillis: number;
  readonly maxBytes: number;
  readonly whenFull: StorageWhenFull;
  readonly maxConnections: number;
}

const EXPECTED_URL = 'a postgres:// or postgresql:// URL with a host, such as postgres://user:password@db:5432/analytics';

/** How a queue URL is shown in messages: scheme, host, port and database; never the user's password or the query. */
export function showQueueUrl(url: URL): string {
  const user = url.username === '' ? '' : `${url.username}@`;
  return `${url.protocol}//${user}${url.host}${url.pathname}`;
}

function resolveUrl(value: unknown): { url: string; shown: string } {
  if (typeof value !== 'string' || CONTROL_OR_SPACE.test(value) || !URL.canParse(value)) {
    // A string that is not a URL may still hold a password: only its shape is shown.
    throw invalid('queue.url', EXPECTED_URL, typeof value === 'string' ? `a string of ${value.length} characters that is not such a URL` : describe(value));
  }
  const url = new URL(value);
  if ((url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') || url.hostname === '') {
    throw invalid('queue.url', EXPECTED_URL, JSON.stringify(showQueueUrl(url)));
  }
  return { url: value, shown: showQueueUrl(url) };
}

/**
 * The bridge's `queue` option, a URL or {@link QueueOptions}; undefined when unset. Throws
 * `ConfigurationError` naming the option; the password never appears in it.
 */
export function resolveQueueOptions(value: string | QueueOptions | undefined): QueueConfig | undefined {
  if (value === undefined) return undefined;
  const given = typeof value === 'string' ? { url: value } : readOptions<QueueOptions>(value);
  const defaults = DEFAULTS.queue;
  const number = (key: 'dedupWindow' | 'leaseMillis' | 'partitionMillis' | 'maxBytes' | 'maxConnections', min: number, max: number) => checkInteger(`queue.${key}`, given[key] ?? defaults[key], min, max);
  return Object.freeze({
    ...resolveUrl(given.url),
    dedupWindow: number('dedupWindow', 1000, LIMITS.maxTimerMillis),
    leaseMillis: number('leaseMillis', 1000, 3_600_000),
    partitionMillis: number('partitionMillis', 1000, 7 * 24 * 3_600_000),
    maxBytes: number('maxBytes', 1024 * 1024, Number.MAX_SAFE_INTEGER),
    whenFull: oneOf<StorageWhenFull>('queue.whenFull', given.whenFull, ['drop_newest', 'drop_oldest'], defaults.whenFull),
    maxConnections: number('maxConnections', 2, 1000),
  });
}
