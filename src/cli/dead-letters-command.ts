import { exportDeadLetters } from '../index.js';
import { text, UsageError, type Command } from './command-line.js';
import { optionFlag } from './option-flag.js';
import { terminalText } from './output.js';

/** The `dead-letters` command's table: its parser and its `--help`. */
export const DEAD_LETTERS: Command = {
  name: 'dead-letters',
  usage: 'dead-letters FILE --queue URL [options]',
  summary: "Write what a fleet of bridges gave up (its queue's dead letters) to an NDJSON file for replay",
  description: `Write what a fleet of bridges gave up (the dead letters of their PostgreSQL queue) to FILE,
one message JSON per line, oldest first, appended; then 'metarouter-otel replay FILE' sends them
again with their messageIds. With --remove, the rows written are deleted once FILE is on disk.`,
  positionals: true,
  flags: [
    { name: 'queue', value: 'URL', help: 'the bridges\' queue, postgres://… (or env METAROUTER_QUEUE_URL)' },
    optionFlag({ name: 'write-key', value: 'KEY' }, 'DeadLetterExportOptions', 'writeKey'),
    optionFlag({ name: 'remove' }, 'DeadLetterExportOptions', 'remove'),
  ],
};

/** `metarouter-otel dead-letters FILE --queue URL`. */
export async function deadLettersCommand(values: Record<string, string | boolean | undefined>, positionals: readonly string[]): Promise<void> {
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new UsageError('dead-letters takes one FILE');
  const queue = text(values, 'queue') ?? process.env.METAROUTER_QUEUE_URL;
  if (queue === undefined || queue.trim() === '') throw new UsageError('dead-letters needs --queue URL (or METAROUTER_QUEUE_URL)');
  const result = await exportDeadLetters({ queue, file, writeKey: text(values, 'write-key'), remove: values.remove === true });
  console.log(`wrote ${result.written} dead letters to ${terminalText(file)}${values.remove === true ? `, removed ${result.removed} from the queue` : ''}`);
}
