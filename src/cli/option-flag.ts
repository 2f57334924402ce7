import { OPTION_DOCS, type OptionDoc } from '../config/option-docs.js';
import type { Flag } from './command-line.js';

type Docs = typeof OPTION_DOCS;

/** Columns of help text per line, beside the flag column. */
const HELP_WIDTH = 58;

/** Breaks `text` into lines of at most `HELP_WIDTH` columns, at spaces. */
function wrap(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= HELP_WIDTH) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

/**
 * A flag that is exactly one option: its help is that option's first sentence and default from
 * its TSDoc (the text docs/options.md shows), in the help's lower-case style, then `more` (what
 * only the CLI adds, such as the environment variable).
 */
export function optionFlag<T extends keyof Docs>(flag: { name: string; value?: string; more?: string }, type: T, option: keyof Docs[T] & string): Flag {
  const doc = OPTION_DOCS[type][option] as OptionDoc;
  const summary = doc.summary.replace(/\.$/, '');
  // A sentence opening with an acronym (URL, OTLP) keeps its capitals.
  const lead = /^[A-Z](?![A-Z])/.test(summary) ? `${summary[0]!.toLowerCase()}${summary.slice(1)}` : summary;
  const help = [lead, flag.more, doc.default === undefined ? undefined : `(default ${doc.default})`].filter((part) => part !== undefined).join(' ');
  return { name: flag.name, value: flag.value, help: wrap(help), option: `${type}.${option}` };
}
