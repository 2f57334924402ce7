// Not part of the public API, but one function for every line of outside data a terminal shows.
import { terminalText } from '../sink/terminal-text.js';
import { EXIT } from './exit-codes.js';

export { terminalText };

/** Prints `metarouter-otel COMMAND: message` on stderr as one line: any line break or control in it (error messages quote data) is shown escaped. */
export function errorLine(command: string, message: string): void {
  console.error(terminalText(`metarouter-otel${command === '' ? '' : ` ${command}`}: ${message}`));
}

/** On SIGINT or SIGTERM: `close`, then exit 0 (or 3 if closing failed). */
export function stopOnSignals(command: string, close: () => Promise<void>, announce: boolean): void {
  const stop = (signal: string): void => {
    if (announce) console.log(`metarouter-otel ${command}: ${signal}, draining`);
    close().then(
      () => process.exit(EXIT.ok),
      (error: unknown) => {
        errorLine(command, `closing failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(EXIT.failed);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
