import type { ErrorCode } from './codes.js';
import { builtinModule } from '../runtime/host-process.js';

/**
 * Returns a `Symbol.hasInstance` check that recognizes instances by a registered symbol on their
 * prototype chain, so that `instanceof` holds even when two copies of this package are loaded
 * (CommonJS and ESM, or two versions in one tree). Never throws: a `catch` asks it of whatever was
 * thrown, and a Proxy whose `get` trap throws is not one of ours.
 */
export function brandCheck(brand: symbol): (value: unknown) => boolean {
  return (value) => {
    if (typeof value !== 'object' || value === null) return false;
    try {
      return (value as Record<symbol, unknown>)[brand] === true;
    } catch {
      return false;
    }
  };
}

/**
 * Marks a class's instances for {@link brandCheck}, once, on its prototype: defining the symbol on
 * each instance cost about 1 µs per class level at every error made (a reported violation made three).
 */
export function brand(target: { readonly prototype: object }, symbol: symbol): void {
  Object.defineProperty(target.prototype, symbol, { value: true });
}

const kError = Symbol.for('metarouter-otel.MetaRouterError');
const kValidation = Symbol.for('metarouter-otel.ValidationError');
const kConfiguration = Symbol.for('metarouter-otel.ConfigurationError');
const kDelivery = Symbol.for('metarouter-otel.DeliveryError');

/** Base class of every error this package throws or reports. */
export class MetaRouterError extends Error {
  /** Stable code, `MR_ERR_…`; see `docs/errors.md`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'MetaRouterError';
  }

  static override [Symbol.hasInstance] = brandCheck(kError);

  static {
    brand(this, kError);
  }
}

/** Thrown synchronously by `identify`/`track`/… when a call cannot become a valid message. */
export class ValidationError extends MetaRouterError {
  /** The offending field, as a path such as `properties` or `userId`. */
  readonly field: string;

  constructor(code: ErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ValidationError';
    this.field = field;
  }

  static override [Symbol.hasInstance] = brandCheck(kValidation);

  static {
    brand(this, kValidation);
  }
}

/** Thrown by a constructor when an option (or its environment variable) is invalid. */
export class ConfigurationError extends MetaRouterError {
  /** The option's name. */
  readonly option: string;

  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super('MR_ERR_INVALID_OPTION', message, options);
    this.name = 'ConfigurationError';
    this.option = option;
  }

  static override [Symbol.hasInstance] = brandCheck(kConfiguration);

  static {
    brand(this, kConfiguration);
  }
}

/**
 * Reported on the `error` channel (never thrown) when messages were not delivered, or were only
 * partly accepted. `messageIds` names every affected message.
 */
export class DeliveryError extends MetaRouterError {
  /** The messages this error is about. */
  readonly messageIds: readonly string[];
  /** The HTTP status that caused it, when there was a response. */
  readonly status: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    messageIds: readonly string[],
    options?: { cause?: unknown; status?: number },
  ) {
    super(code, message, options);
    this.name = 'DeliveryError';
    this.messageIds = messageIds;
    this.status = options?.status;
  }

  static override [Symbol.hasInstance] = brandCheck(kDelivery);

  static {
    brand(this, kDelivery);
  }
}

/** Longest text {@link readThrown} takes from a thrown value: a report is no place for a megabyte string. */
const MAX_THROWN_TEXT = 1000;

/** A caught value, as text for a report's message and as a cause to attach to it. */
export interface Thrown {
  /** What the value says: an Error's message, a string, `String(value)`, or a description of its kind. */
  readonly text: string;
  /**
   * The value itself, or, when printing it would throw (an Error whose `message` or `stack` getter
   * throws, a Proxy whose traps throw), an Error holding {@link text}: a listener that logs the
   * report must not crash on what a hook threw.
   */
  readonly cause: unknown;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    if (value instanceof Error) {
      const { message } = value;
      if (typeof message === 'string' && message !== '') return message;
    }
    return String(value);
  } catch {
    // A null-prototype object, a throwing toString, Symbol.toPrimitive or Proxy trap.
  }
  try {
    return `a thrown ${Object.prototype.toString.call(value)}`;
  } catch {
    return `a thrown ${typeof value} that cannot be shown as text`;
  }
}

/**
 * Whether an error with this cause can be printed: inspect treats a cause otherwise than a value of
 * its own. Where the runtime has no `util.inspect` (Vercel Edge), its console prints the error.
 */
function printableAsCause(value: unknown): boolean {
  const inspect = builtinModule<typeof import('node:util')>('node:util')?.inspect;
  if (inspect === undefined) return true;
  try {
    inspect(new Error('probe', { cause: value }));
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads whatever a `catch` caught, from user code or not, into text and a cause. The one way every
 * catch in this package turns a caught value into a report; never throws, whatever the value.
 */
export function readThrown(value: unknown): Thrown {
  const text = textOf(value);
  const short = text.length > MAX_THROWN_TEXT ? `${text.slice(0, MAX_THROWN_TEXT)}…` : text;
  return { text: short, cause: printableAsCause(value) ? value : new Error(short) };
}
