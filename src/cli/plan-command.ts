import { readFileSync } from 'node:fs';
import { createPlanEnforcer, trackingPlanModule } from '../index.js';
import { text, UsageError, type Command } from './command-line.js';
import { EXIT } from './exit-codes.js';
import { terminalText } from './output.js';

/** The `plan` command's table: its parser and its `--help`. */
export const PLAN: Command = {
  name: 'plan',
  usage: 'plan types|check PLAN.json [options]',
  summary: 'Type the calls of a Segment tracking plan, or check a plan and messages against it',
  description: `plan types PLAN.json   Print a TypeScript module typing the calls of a Segment tracking plan export
plan check PLAN.json   Compile the plan (exit 2 if it cannot be enforced)`,
  positionals: true,
  flags: [
    { name: 'import-from', value: 'NAME', help: 'types: module to import the types from (default metarouter-otel)' },
    { name: 'messages', value: 'FILE', help: 'check: also check each message of an NDJSON file (as `sink --out`\nwrites); print each violation, exit 1 if any' },
  ],
};

function planCheck(planPath: string, messagesPath: string | undefined): void {
  const enforcer = createPlanEnforcer({ trackingPlan: planPath });
  if (enforcer === undefined) return;
  if (messagesPath === undefined) {
    console.log(`metarouter-otel plan: ${terminalText(planPath)} compiles`);
    return;
  }
  const lines = readFileSync(messagesPath, 'utf8').split('\n').filter((line) => line.trim() !== '');
  let broken = 0;
  lines.forEach((line, index) => {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      throw new UsageError(`${messagesPath} line ${index + 1} is not JSON`);
    }
    const result = enforcer.check(message as Record<string, unknown>);
    if (result.violations.length === 0) return;
    broken += 1;
    for (const violation of result.violations) console.log(terminalText(`${messagesPath}:${index + 1} ${violation.type} ${violation.description}`));
  });
  console.log(`metarouter-otel plan: ${lines.length} messages checked, ${broken} with violations`);
  if (broken > 0) process.exitCode = EXIT.incomplete;
}

/** `metarouter-otel plan types|check PLAN.json`. */
export function planCommand(values: Record<string, string | boolean | undefined>, positionals: readonly string[]): void {
  const [action, planPath] = positionals;
  if (planPath === undefined || positionals.length > 2) throw new UsageError('plan needs an action (types or check) and one plan file');
  if (action === 'types') process.stdout.write(trackingPlanModule(planPath, { importFrom: text(values, 'import-from') }));
  else if (action === 'check') planCheck(planPath, text(values, 'messages'));
  else throw new UsageError(`unknown plan action ${JSON.stringify(action)} (types or check)`);
}
