import { ConfigurationError, readThrown } from '../errors/metarouter-error.js';
import { hostProcess } from '../runtime/host-process.js';

/**
 * The checks every options resolver uses (Analytics and exporters, the bridge, the sink, replay), so
 * that one option is refused in the same words wherever it is taken: "X is invalid, expected …,
 * actual …", the actual value shown only by its shape when it could be a secret.
 */

/** Spaces and control characters, refused in keys, tokens and URLs. */
export const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

/** The error of a bad option: its name, what was expected, and the actual value as `describe` shows it. */
export function invalid(option: string, expected: string, actual: string): ConfigurationError {
  return new ConfigurationError(option, `${option} is invalid, expected ${expected}, actual ${actual}`);
}

/** A value as an error shows it: strings quoted, numbers, booleans and null as written, anything else by its type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return typeof value;
}

/** An environment variable's value; a blank one counts as unset. */
export function fromEnv(name: string): string | undefined {
  const value = hostProcess()?.env?.[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The error of a path option the file system refused, naming its errno code. */
export function invalidPath(option: string, expected: string, path: string, error: unknown): ConfigurationError {
  return new ConfigurationError(option, `${option} is invalid, expected ${expected}, actual ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text})`, { cause: error });
}

/** Checks that `value` is a safe integer from `min` to `max` and returns it. */
export function checkInteger(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(option, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`, describe(value));
  }
  return value;
}

/** Checks that `value` is a boolean (or absent) and returns it or the default. */
export function resolveBoolean(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(option, 'a boolean', describe(value));
  return value;
}

/** Checks that `value` is one of `allowed` (or absent) and returns it or the default. */
export function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw invalid(option, allowed.map((name) => JSON.stringify(name)).join(' or '), describe(value));
  return value as T;
}

/** A listen address: a non-empty string without whitespace. */
export function checkListenAddress(option: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || value === '' || /\s/.test(value)) throw invalid(option, `an address such as ${example}`, describe(value));
  return value;
}

/**
 * Reads the caller's options object once, into a plain copy: a getter that throws, or a Proxy,
 * becomes a ConfigurationError here rather than a raw exception somewhere later.
 */
export function readOptions<T extends object>(options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw invalid('options', 'an object', describe(options));
  try {
    return { ...options };
  } catch (error) {
    throw new ConfigurationError('options', 'options is invalid, expected an object whose properties can be read, actual one that threw while read', { cause: error });
  }
}

/** A dotted-quad IPv4 address as `net.isIPv4` takes it: four decimal parts up to 255, no leading zeros. */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;

/** The characters of an IPv6 address without a zone, lowercase; whether they make one is the URL parser's answer. */
const IPV6_CHARACTERS = /^[0-9a-f:.]+$/;

/**
 * True for a host name or address that only this machine can reach: `localhost`, 127.0.0.0/8,
 * `::1`, and 127.0.0.0/8 mapped into IPv6 (`::ffff:127.0.0.1`, which a URL spells `[::ffff:7f00:1]`),
 * with or without the brackets a URL's hostname keeps. Not `0.0.0.0` or `::` (every interface), and
 * not a name that merely starts with one of these (`localhost.example.com`, `127.0.0.1.nip.io`),
 * which DNS may point anywhere.
 */
export function isLoopback(hostname: string): boolean {
  const name = hostname.toLowerCase();
  if (name === 'localhost') return true;
  const address = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (IPV4.test(address)) return address.startsWith('127.');
  if (!address.includes(':') || !IPV6_CHARACTERS.test(address) || !URL.canParse(`http://[${address}]/`)) return false;
  // The URL parser writes every spelling of an IPv6 address one way: `0:0::1` as `[::1]`, a mapped
  // IPv4 address in hexadecimal, whose first group 7f00 to 7fff is 127.x.
  const canonical = new URL(`http://[${address}]/`).hostname;
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}
