import { createReadStream } from 'node:fs';
import { replay, type ReplayProgress, type ReplayRetry } from '../index.js';
import { text, UsageError, type Command } from './command-line.js';
import { EXIT } from './exit-codes.js';
import { optionFlag } from './option-flag.js';
import { terminalText } from './output.js';

/** The `replay` command's table: its parser and its `--help`. */
export const REPLAY: Command = {
  name: 'replay',
  usage: 'replay FILE [options]',
  summary: 'Send the messages of an NDJSON file again (a dead-letter file, or a sink --out file)',
  description: `Send the messages of an NDJSON file again (a dead-letter file, or a sink's --out file), in
order, at least once, keeping their messageIds; a progress bar, then a summary. Running the same
file again sends only what was not delivered: the messageIds delivered are recorded in
FILE.replay-progress (delete it to send everything again). Lines that are not messages are named by
number; each retry and its wait is shown; messages that cannot be delivered are written to
FILE.failed (rewritten by each run, removed when nothing failed), itself a file to replay.`,
  positionals: true,
  flags: [
    optionFlag({ name: 'host', value: 'URL', more: '(or env METAROUTER_HOST)' }, 'DeliveryOptions', 'host'),
    optionFlag({ name: 'write-key', value: 'KEY', more: '(or env METAROUTER_WRITE_KEY)' }, 'DeliveryOptions', 'writeKey'),
    optionFlag({ name: 'dry-run' }, 'ReplayOptions', 'dryRun'),
    { name: 'progress-file', value: 'F', help: 'the progress record (default FILE.replay-progress)' },
    { name: 'no-progress', help: 'keep no progress record: send every message of FILE' },
    { name: 'failed-file', value: 'F', help: 'where undeliverable messages go (default FILE.failed)' },
  ],
};

/** Writes a line on stderr, first clearing the progress bar a terminal shows in place. */
function note(line: string): void {
  process.stderr.write(`${process.stderr.isTTY ? '\r\u001b[2K' : ''}${terminalText(line)}\n`);
}

/** A one-line progress bar on stderr: redrawn in place on a terminal, a line per step elsewhere. */
function progressBar(total: number | undefined): (progress: ReplayProgress) => void {
  return ({ lines, delivered, failed, skipped }) => {
    const done = total === undefined ? 0 : total === 0 ? 1 : Math.min(1, lines / total);
    const bar = '#'.repeat(Math.round(done * 30)).padEnd(30, '.');
    const text = `[${bar}] ${lines}/${total ?? '?'} read, ${delivered} delivered, ${failed} failed${skipped === 0 ? '' : `, ${skipped} skipped`}`;
    process.stderr.write(process.stderr.isTTY ? `\r${text}` : `${text}\n`);
  };
}

function retryLine({ messageCount, attempt, status, delayMillis }: ReplayRetry): string {
  const why = status === undefined ? 'a network error or timeout' : `status ${status}`;
  return `retrying ${messageCount} messages in ${(delayMillis / 1000).toFixed(1)} s (try ${attempt} got ${why})`;
}

/** Lines in `file`, for the bar; undefined when it cannot be read, which `replay()` then explains. */
async function countLines(file: string): Promise<number | undefined> {
  let total = 0;
  try {
    // A streaming pass: the file is never held whole.
    for await (const chunk of createReadStream(file)) for (const byte of chunk as Buffer) if (byte === 10) total++;
    return total;
  } catch {
    return undefined;
  }
}

/** `metarouter-otel replay FILE`: sets the exit code (0 all delivered, 1 otherwise). */
export async function replayCommand(values: Record<string, string | boolean | undefined>, positionals: readonly string[]): Promise<void> {
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new UsageError('replay takes one FILE');
  if (values['no-progress'] === true && values['progress-file'] !== undefined) throw new UsageError('--no-progress and --progress-file cannot go together');
  const dryRun = values['dry-run'] === true;
  const failedFile = text(values, 'failed-file') ?? `${file}.failed`;
  const progressFile = values['no-progress'] === true ? false : (text(values, 'progress-file') ?? `${file}.replay-progress`);
  const errors = new Map<string, number>();
  const summary = await replay({
    file,
    host: text(values, 'host'),
    writeKey: text(values, 'write-key'),
    dryRun,
    progressFile,
    failedFile,
    onProgress: progressBar(await countLines(file)),
    onRetry: (retry) => note(retryLine(retry)),
    onError: (error) => {
      const ids = (error as { messageIds?: readonly string[] }).messageIds?.length ?? 0;
      errors.set(error.code, (errors.get(error.code) ?? 0) + Math.max(1, ids));
      if (error.code === 'MR_ERR_INVALID_RECORD') note(`metarouter-otel replay: ${error.message}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const name = terminalText(file);
  const skipped = summary.skipped === 0 ? '' : `, ${summary.skipped} skipped (already delivered${progressFile === false ? '' : `, per ${terminalText(progressFile)}`})`;
  if (dryRun) {
    console.log(`dry run of ${name}: ${summary.lines} lines, ${summary.toSend} to send${skipped}, ${summary.invalid} not a message; nothing sent`);
  } else {
    console.log(`replayed ${name}: ${summary.lines} lines, ${summary.delivered} delivered, ${summary.failed} failed (${summary.invalid} not a message)${skipped}`);
    for (const [code, count] of errors) console.log(`  ${code}: ${count}`);
    if (summary.failed > summary.invalid) console.log(`undeliverable messages written to ${terminalText(failedFile)}`);
  }
  process.exitCode = summary.failed === 0 ? EXIT.ok : EXIT.incomplete;
}
