#!/usr/bin/env node
// The command line parses argv and calls the package's public API; the option tables in the
// *-command.ts files make both the parser and the help.
import { ConfigurationError } from '../index.js';
import { LIBRARY } from '../version.js';
import { BRIDGE, bridgeCommand } from './bridge-command.js';
import { DEAD_LETTERS, deadLettersCommand } from './dead-letters-command.js';
import { commandHelp, parseCommand, UsageError, type Command } from './command-line.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { errorLine } from './output.js';
import { PLAN, planCommand } from './plan-command.js';
import { REPLAY, replayCommand } from './replay-command.js';
import { SINK, sinkCommand } from './sink-command.js';

type Run = (values: Record<string, string | boolean | undefined>, positionals: readonly string[]) => void | Promise<void>;

const COMMANDS: ReadonlyArray<readonly [Command, Run]> = [
  [SINK, sinkCommand],
  [BRIDGE, bridgeCommand],
  [REPLAY, replayCommand],
  [PLAN, planCommand],
  [DEAD_LETTERS, deadLettersCommand],
];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map(([command]) => command.name.length)) + 2;
  const rows = COMMANDS.map(([command]) => `  ${command.name.padEnd(width)}${command.summary}`);
  return `Usage: metarouter-otel <command> [options]

Commands:
${rows.join('\n')}

Options:
  -h, --help     print this help and exit; 'metarouter-otel <command> --help' for a command's options
  -v, --version  print the version and exit

${EXIT_CODES_HELP}
`;
}

/** A listen or file error from the system, as one line naming what was refused. */
function systemMessage(error: NodeJS.ErrnoException): string {
  const where = /(\S+:\d+)$/.exec(error.message)?.[1];
  if (error.code === 'EADDRINUSE') return `cannot listen on ${where ?? 'that port'}: it is in use (EADDRINUSE); pick another --port`;
  if (error.code === 'EACCES' && error.syscall === 'listen') return `cannot listen on ${where ?? 'that port'}: permission denied (EACCES)`;
  return error.message;
}

function unknownCommand(name: string): UsageError {
  return new UsageError(`unknown command ${JSON.stringify(name)}: sink, bridge, replay, plan or dead-letters`);
}

async function main(argv: readonly string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const asked = COMMANDS.find(([command]) => command.name === rest[0]);
    if (asked === undefined && rest[0] !== undefined) {
      // Help on a command that does not exist is a mistake on the line, said as one like `launch` alone.
      errorLine('', `${unknownCommand(rest[0]).message} (metarouter-otel --help)`);
      process.exit(EXIT.usage);
    }
    process.stdout.write(asked === undefined ? topHelp() : commandHelp(asked[0]));
    return;
  }
  if (name === '--version' || name === '-v') {
    console.log(LIBRARY.version);
    return;
  }
  const found = COMMANDS.find(([command]) => command.name === name);
  try {
    if (found === undefined) throw unknownCommand(name);
    const [command, run] = found;
    const { values, positionals, help } = parseCommand(command, rest);
    if (help) {
      process.stdout.write(commandHelp(command));
      return;
    }
    await run(values, positionals);
  } catch (error) {
    const command = found?.[0].name ?? '';
    if (error instanceof UsageError) {
      errorLine(command, `${error.message} (metarouter-otel${command === '' ? '' : ` ${command}`} --help)`);
      process.exit(EXIT.usage);
    }
    if (error instanceof ConfigurationError) {
      errorLine(command, error.message);
      process.exit(EXIT.usage);
    }
    const errno = error as NodeJS.ErrnoException;
    errorLine(command, typeof errno.code === 'string' ? systemMessage(errno) : error instanceof Error ? error.message : String(error));
    process.exit(EXIT.failed);
  }
}

void main(process.argv.slice(2));
