// Writes docs/options.md, the options reference, from the TSDoc of the options files of src/config/
// (one per public options type: Analytics, exporters, bridge, sink, replay, and the delivery and
// shaping options they share): every property of every exported interface with its type, its
// @default and its meaning. The TSDoc is the one source; test/package/options-doc.test.ts fails
// when the page is out of date. It also writes src/config/option-docs.ts, the first sentence and
// the @default of each option, from which the CLI's flags that are one option take their help.
//
//   node scripts/write-options-doc.mjs           rewrite docs/options.md
//   node scripts/write-options-doc.mjs --check   exit 1 if docs/options.md differs from the output
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = new URL('..', import.meta.url);
/** The options files, in the order of the page. */
export const SOURCES = Object.freeze([
  'src/config/delivery-options.ts',
  'src/config/shaping-options.ts',
  'src/config/resource-options.ts',
  'src/config/analytics-options.ts',
  'src/config/exporter-options.ts',
  'src/config/bridge-options.ts',
  'src/config/sink-options.ts',
  'src/config/replay-options.ts',
]);
export const TARGET = 'docs/options.md';
export const FACTS_TARGET = 'src/config/option-docs.ts';

/** Text of a TSDoc comment, with `{@link X}` shown as code and lines joined. */
function prose(comment) {
  const text = ts.getTextOfJSDocComment(comment) ?? '';
  return text
    .replace(/\{@link\s+([^}\s|]+)(?:\s*\|\s*[^}]*)?\}/g, '`$1`')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** The doc comment of a node: its text and its tags by name. */
function docOf(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const doc = docs.at(-1);
  const tags = new Map((doc?.tags ?? []).map((tag) => [tag.tagName.text, prose(tag.comment)]));
  return { text: prose(doc?.comment), tags };
}

/** A table cell: pipes escaped, so a union type or a prose pipe does not split the cell. */
const cell = (text) => text.replace(/\|/g, '\\|');

/** A default that is a literal (number, string, boolean) is code; a described one stays prose. */
function formatDefault(text) {
  if (text === undefined || text === '') return '—';
  return /^(-?[\d_.]+|'[^']*'|"[^"]*"|true|false|null)$/.test(text) ? `\`${text}\`` : text;
}

/** Reads the exported interfaces and type aliases of one source file. */
export function readOptions(sourceText, fileName = SOURCES[0]) {
  const file = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.Latest, true);
  const exported = (node) => node.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
  const aliases = new Map();
  const imports = new Map();
  const interfaces = [];
  /** Exported aliases that join other options types (`A & B`), shown as a section of their own. */
  const joins = [];
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement) && statement.importClause?.namedBindings && ts.isNamedImports(statement.importClause.namedBindings)) {
      for (const element of statement.importClause.namedBindings.elements) imports.set(element.name.text, statement.moduleSpecifier.text);
    } else if (ts.isTypeAliasDeclaration(statement) && exported(statement)) {
      aliases.set(statement.name.text, statement.type.getText(file));
      if (ts.isIntersectionTypeNode(statement.type)) {
        joins.push({ name: statement.name.text, text: docOf(statement).text, heritage: statement.type.types.map((type) => type.getText(file)), properties: [] });
      }
    } else if (ts.isInterfaceDeclaration(statement) && exported(statement)) {
      const heritage = (statement.heritageClauses ?? []).flatMap((clause) => clause.types.map((type) => type.expression.getText(file)));
      const properties = statement.members.filter(ts.isPropertySignature).map((member) => {
        const { text, tags } = docOf(member);
        const typeName = member.type?.getText(file) ?? 'unknown';
        return { name: member.name.getText(file), typeName, optional: member.questionToken !== undefined, text, defaultText: tags.get('default') };
      });
      interfaces.push({ name: statement.name.text, text: docOf(statement).text, heritage, properties });
    }
  }
  return { interfaces: [...interfaces, ...joins], aliases, imports };
}

/** The text of every options file, by its path. */
export function readSources() {
  return SOURCES.map((path) => ({ path, text: readFileSync(new URL(path, ROOT), 'utf8') }));
}

/**
 * Reads all the options files as one: an alias of one file is spelled out where another uses it; a
 * type imported from a package names the package.
 */
function readAll(sources) {
  const read = sources.map(({ path, text }) => readOptions(text, path));
  const aliases = new Map(read.flatMap((one) => [...one.aliases]));
  const imports = new Map(read.flatMap((one) => [...one.imports]));
  const typeOf = (typeName) => {
    if (aliases.has(typeName)) return `\`${aliases.get(typeName)}\``;
    if (imports.has(typeName) && !imports.get(typeName).startsWith('.')) return `\`${typeName}\` (\`${imports.get(typeName)}\`)`;
    return `\`${typeName}\``;
  };
  return { interfaces: read.flatMap((one) => one.interfaces), typeOf };
}

/** The whole page, from the text of the options files (`[{ path, text }]`, as `readSources` reads them). */
export function renderOptionsDoc(sources = readSources()) {
  const { interfaces, typeOf } = readAll(sources);
  const lines = [
    '# Options reference',
    '',
    `<!-- Generated by scripts/write-options-doc.mjs from the TSDoc of ${SOURCES.join(', ')} (npm run docs:options). Do not edit by hand. -->`,
    '',
    'A bad value throws a `ConfigurationError` naming the option, the expected and the actual value. A blank environment variable counts as unset.',
    '',
    'By entry point: `new Analytics()` takes [AnalyticsOptions](#analyticsoptions); both exporters take [ExporterOptions](#exporteroptions); `startBridge()` takes [BridgeOptions](#bridgeoptions); `startSink()` takes [SinkOptions](#sinkoptions); `replay()` takes [ReplayOptions](#replayoptions).',
  ];
  for (const { name, text, heritage, properties } of interfaces) {
    lines.push('', `## ${name}`, '');
    if (text !== '') lines.push(text, '');
    const parents = heritage.map((parent) => `[${parent}](#${parent.toLowerCase()})`).join(', ');
    if (properties.length === 0) {
      lines.push(`Every option of ${parents}.`);
      continue;
    }
    if (heritage.length > 0) lines.push(`Also takes every option of ${parents}.`, '');
    lines.push('| option | type | default | meaning |', '|---|---|---|---|');
    for (const property of properties) {
      const name = property.optional ? `\`${property.name}\`` : `\`${property.name}\` (required)`;
      lines.push(`| ${name} | ${cell(typeOf(property.typeName))} | ${cell(formatDefault(property.defaultText))} | ${cell(property.text)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The first sentence of a TSDoc text, as a terminal shows it: code marks dropped. */
function firstSentence(text) {
  const sentence = /^.*?(?<!\b(?:e\.g|i\.e))[.!?](?=\s+[A-Z`(]|$)/.exec(text)?.[0] ?? text;
  return sentence.replace(/`/g, '');
}

/** A `@default` as a terminal shows it: a quoted string without its quotes; a described default (prose) is left out. */
function terminalDefault(text) {
  if (text === undefined || !/^(-?[\d_.]+( \([^)]*\))?|'[^']*'|true|false)$/.test(text)) return undefined;
  return /^'[^']*'$/.test(text) ? text.slice(1, -1) : text;
}

/** src/config/option-docs.ts: for each options interface, each option's first sentence and default. */
export function renderOptionFacts(sources = readSources()) {
  const { interfaces } = readAll(sources);
  const lines = [
    `// Generated by scripts/write-options-doc.mjs from the TSDoc of the options files (npm run docs:options). Do not edit by hand.`,
    '',
    "/** What the TSDoc of one option says, for a flag's `--help`: its first sentence and its `@default`. */",
    'export interface OptionDoc {',
    '  readonly summary: string;',
    '  readonly default: string | undefined;',
    '}',
    '',
    '/**',
    ' * The first sentence and the `@default` of every option, by options type: the TSDoc that',
    ' * docs/options.md is made of, for the CLI flags that are one option each.',
    ' */',
    'export const OPTION_DOCS = {',
  ];
  for (const { name, properties } of interfaces) {
    if (properties.length === 0) continue;
    lines.push(`  ${name}: {`);
    for (const property of properties) {
      const fallback = terminalDefault(property.defaultText);
      lines.push(`    ${property.name}: { summary: ${JSON.stringify(firstSentence(property.text))}, default: ${fallback === undefined ? 'undefined' : JSON.stringify(fallback)} },`);
    }
    lines.push('  },');
  }
  lines.push('} as const satisfies Readonly<Record<string, Readonly<Record<string, OptionDoc>>>>;');
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outputs = [
    [TARGET, renderOptionsDoc()],
    [FACTS_TARGET, renderOptionFacts()],
  ];
  for (const [path, output] of outputs) {
    const target = new URL(path, ROOT);
    if (process.argv.includes('--check')) {
      let current = '';
      try {
        current = readFileSync(target, 'utf8');
      } catch {
        // A missing file is out of date too.
      }
      if (current !== output) {
        process.stderr.write(`${path} is out of date with the TSDoc of the options files: run npm run docs:options\n`);
        process.exitCode = 1;
      }
    } else {
      writeFileSync(target, output);
      process.stdout.write(`wrote ${fileURLToPath(target)}\n`);
    }
  }
}
