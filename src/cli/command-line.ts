import { parseArgs } from 'node:util';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';

/** One option of a command: both the parser and `--help` are made from it, so they cannot disagree. */
export interface Flag {
  /** The long name, without `--`. */
  readonly name: string;
  /** What follows the flag in the help (`N`, `FILE`); none for a boolean flag. */
  readonly value?: string;
  /** One line or more, as the help prints it. */
  readonly help: string;
  /** `Type.option` when the flag is exactly that one option and its help comes from the option's TSDoc (see `optionFlag`). */
  readonly option?: string;
}

/** A command's table: its usage line, what it does, its flags. */
export interface Command {
  readonly name: string;
  /** What follows `metarouter-otel` in the usage line. */
  readonly usage: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** Paragraphs printed under the usage line. */
  readonly description: string;
  readonly flags: readonly Flag[];
  readonly positionals: boolean;
}

/** A mistake on the command line: printed as one line naming it, then exit 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT.usage;
}

const MAX_FLAG_COLUMN = 22;

const HELP_FLAG: Flag = { name: 'help', help: 'print this help and exit' };

/** What `metarouter-otel COMMAND --help` prints. */
export function commandHelp(command: Command): string {
  const flags = [...command.flags, HELP_FLAG];
  const left = flags.map((flag) => `${flag.name === 'help' ? '-h, ' : ''}--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`);
  // A flag too long for the column gets its help on the lines below, so one long flag does not push every help aside.
  const width = Math.min(Math.max(...left.map((text) => text.length)), MAX_FLAG_COLUMN) + 2;
  const rows = flags.map((flag, index) => {
    const lines = flag.help.split('\n').map((line) => `  ${' '.repeat(width)}${line}`);
    const name = left[index]!;
    return name.length + 2 > width ? [`  ${name}`, ...lines].join('\n') : [`  ${name.padEnd(width)}${lines[0]!.trimStart()}`, ...lines.slice(1)].join('\n');
  });
  return `Usage: metarouter-otel ${command.usage}\n\n${command.description}\n\nOptions:\n${rows.join('\n')}\n\n${EXIT_CODES_HELP}\n`;
}

function usageMessage(error: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option === undefined ? error.message : `${option} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${/'([^']*)'/.exec(error.message)?.[1]}'`;
    default:
      return error.message;
  }
}

/** The values of `args` by `command`'s table; `help` is true when `--help` or `-h` was given. */
export function parseCommand(command: Command, args: readonly string[]): { values: Record<string, string | boolean | undefined>; positionals: string[]; help: boolean } {
  const options = Object.fromEntries(command.flags.map((flag) => [flag.name, { type: flag.value === undefined ? ('boolean' as const) : ('string' as const) }]));
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: command.positionals, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals, help: values.help === true };
  } catch (error) {
    // `--help` anywhere wins over a mistake elsewhere on the line: asking for help is never an error.
    if (args.includes('--help') || args.includes('-h')) return { values: {}, positionals: [], help: true };
    throw new UsageError(usageMessage(error as Error & { code?: string }));
  }
}

/** A string flag's value, or undefined. */
export function text(values: Record<string, string | boolean | undefined>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A whole non-negative decimal number, or a UsageError: `Number('')` would quietly be 0. */
export function integer(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const value = text(values, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * A comma-separated flag's names; `''` is the empty list. An empty name between commas is kept,
 * so that the option's validation refuses it by name rather than it being skipped unseen.
 */
export function list(values: Record<string, string | boolean | undefined>, name: string): string[] | undefined {
  const value = text(values, name);
  if (value === undefined) return undefined;
  return value === '' ? [] : value.split(',').map((key) => key.trim());
}
