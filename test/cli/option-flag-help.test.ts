import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { BRIDGE } from '../../src/cli/bridge-command.js';
import type { Command } from '../../src/cli/command-line.js';
import { REPLAY } from '../../src/cli/replay-command.js';
import { DEAD_LETTERS } from '../../src/cli/dead-letters-command.js';
import { SINK } from '../../src/cli/sink-command.js';
import { OPTION_DOCS, type OptionDoc } from '../../src/config/option-docs.js';
import { DEFAULTS } from '../../src/index.js';

// The built CLI, as `npx metarouter-otel` runs it: <repo>/dist/cli/main.js, from <build dir>/test/cli.
const CLI = join(resolve(__dirname, '..', '..', '..'), 'dist', 'cli', 'main.js');

function helpOf(command: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(process.execPath, [CLI, command, '--help'], { timeout: 8_000 }, (error, stdout) => (error === null ? done(stdout) : fail(error)));
  });
}

const flat = (text: string) => text.replace(/\s+/g, ' ');

/** The flags of each command that are exactly one option; the rest (storage, fault, plan for the bridge, …) keep help of their own. */
const MAPPED: ReadonlyArray<readonly [Command, readonly string[]]> = [
  [BRIDGE, ['port', 'hostname', 'host', 'write-key', 'token', 'max-body-bytes', 'flush-at', 'flush-interval', 'dead-letter-file', 'queue-dedup-window', 'queue-max-bytes', 'queue-lease-millis', 'unplanned-events', 'unplanned-properties', 'other-violations', 'violation-write-key', 'resource-attribute-keys']],
  [SINK, ['port', 'hostname', 'out', 'token', 'trace-url', 'max-history', 'retry-after', 'slow-millis', 'plan']],
  [REPLAY, ['host', 'write-key', 'dry-run']],
  [DEAD_LETTERS, ['write-key', 'remove']],
];

test("CLI: a flag that is one option prints that option's TSDoc summary and default (the text of docs/options.md), in the real --help", async () => {
  for (const [command, names] of MAPPED) {
    assert.deepEqual(
      command.flags.filter((flag) => flag.option !== undefined).map((flag) => flag.name),
      names,
      `${command.name}: the flags that take their help from an option`,
    );
    const help = flat(await helpOf(command.name));
    for (const flag of command.flags.filter((one) => one.option !== undefined)) {
      const [type, option] = flag.option!.split('.') as [keyof typeof OPTION_DOCS, string];
      const doc = (OPTION_DOCS[type] as Record<string, OptionDoc>)[option];
      assert.ok(doc !== undefined, `${flag.option} is documented`);
      const summary = doc.summary.replace(/\.$/, '');
      assert.ok(help.toLowerCase().includes(flat(summary).toLowerCase()), `${command.name} --${flag.name} shows ${JSON.stringify(summary)}`);
      if (doc.default !== undefined) assert.ok(help.includes(`(default ${doc.default})`), `${command.name} --${flag.name} shows its default ${doc.default}`);
    }
  }
});

test('CLI: the defaults --help prints for option flags are the ones the options resolve to', async () => {
  assert.match(flat(await helpOf('bridge')), new RegExp(`--port N port to listen on; 0 picks a free one \\(default ${DEFAULTS.bridgePort}\\)`));
  assert.match(flat(await helpOf('bridge')), new RegExp(`--flush-at N .*?\\(default ${DEFAULTS.flushAt}\\)`));
  assert.match(flat(await helpOf('sink')), new RegExp(`--port N port to listen on; 0 picks a free one \\(default ${DEFAULTS.sink.port}\\)`));
  assert.match(flat(await helpOf('sink')), new RegExp(`--slow-millis MS .*?\\(default ${DEFAULTS.sink.slowMillis}\\)`));
});
