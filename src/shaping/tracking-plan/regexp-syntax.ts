import { ANY_CHAR, charSet, complement, DIGIT, DOT, SPACE, union, WORD, type CharSet } from './char-set.js';

/** A parsed regular expression, as far as its matching cost depends on it. Groups are their content. */
export type RegExpNode =
  | { readonly kind: 'char'; readonly set: CharSet }
  | { readonly kind: 'seq'; readonly items: readonly RegExpNode[] }
  | { readonly kind: 'alt'; readonly options: readonly RegExpNode[] }
  /** `max` is Infinity for `*`, `+` and `{n,}`; `at` is the offset of the quantifier. */
  | { readonly kind: 'repeat'; readonly body: RegExpNode; readonly min: number; readonly max: number; readonly at: number }
  /** A lookahead or lookbehind: it consumes nothing, and is not backtracked into once it has matched. */
  | { readonly kind: 'look'; readonly body: RegExpNode; readonly behind: boolean; readonly negative: boolean; readonly at: number }
  | { readonly kind: 'assert'; readonly which: '^' | '$' | 'b' | 'B' }
  | { readonly kind: 'backref'; readonly at: number };

const code = (char: string): number => char.codePointAt(0)!;

const CONTROL_ESCAPES: Readonly<Record<string, number>> = { f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '0': 0 };
const CLASS_ESCAPES: Readonly<Record<string, CharSet>> = { d: DIGIT, D: complement(DIGIT), w: WORD, W: complement(WORD), s: SPACE, S: complement(SPACE) };

/** An escape's character set; `exact` is false where the set is only known to hold the truth (`\p{…}`). */
interface Escaped {
  readonly set: CharSet;
  readonly exact: boolean;
  /** The one character it stands for, when it stands for one (a class range may end at it). */
  readonly char: number | undefined;
}

/**
 * Parses a pattern that `new RegExp(pattern, 'u')` accepts (the caller checks that first). Unicode
 * mode keeps the grammar small: a `{` that opens no quantifier, a lone `]` and unknown escapes are
 * syntax errors there. Throws `SyntaxError` for a group form it does not know.
 */
export function parseRegExp(pattern: string): RegExpNode {
  let at = 0;
  const peek = (): string | undefined => pattern[at];
  const take = (): string => {
    const char = String.fromCodePoint(pattern.codePointAt(at)!);
    at += char.length;
    return char;
  };

  const hex = (length: number): number => {
    const value = Number.parseInt(pattern.slice(at, at + length), 16);
    at += length;
    return value;
  };

  function unicodeEscape(): number {
    if (peek() === '{') {
      const close = pattern.indexOf('}', at);
      const value = Number.parseInt(pattern.slice(at + 1, close), 16);
      at = close + 1;
      return value;
    }
    const high = hex(4);
    // A surrogate pair written as two escapes is one character in unicode mode.
    if (high >= 0xd800 && high <= 0xdbff && pattern.startsWith('\\u', at) && /^[dD][c-fC-F]/.test(pattern.slice(at + 2))) {
      at += 2;
      return 0x10000 + ((high - 0xd800) << 10) + (hex(4) - 0xdc00);
    }
    return high;
  }

  /** After a `\`: what it stands for (a back-reference or `\b` is handled by the caller). */
  function escape(inClass: boolean): Escaped {
    const char = take();
    const set = CLASS_ESCAPES[char];
    if (set !== undefined) return { set, exact: true, char: undefined };
    if (char === 'p' || char === 'P') {
      at = pattern.indexOf('}', at) + 1;
      return { set: ANY_CHAR, exact: false, char: undefined };
    }
    let value: number;
    if (char === 'u') value = unicodeEscape();
    else if (char === 'x') value = hex(2);
    else if (char === 'c') value = code(take()) % 32;
    else if (inClass && char === 'b') value = 0x08;
    else value = CONTROL_ESCAPES[char] ?? code(char);
    return { set: [[value, value]], exact: true, char: value };
  }

  function characterClass(): RegExpNode {
    const negated = peek() === '^';
    if (negated) at += 1;
    let set: CharSet = [];
    let exact = true;
    while (peek() !== ']') {
      const first = peek() === '\\' ? (take(), escape(true)) : single(code(take()));
      if (peek() === '-' && pattern[at + 1] !== ']' && first.char !== undefined) {
        at += 1;
        const last = peek() === '\\' ? (take(), escape(true)) : single(code(take()));
        set = union(set, last.char === undefined ? last.set : charSet([[first.char, last.char]]));
        exact &&= last.exact;
        continue;
      }
      set = union(set, first.set);
      exact &&= first.exact;
    }
    at += 1;
    // The complement of a set that may be too large would be too small: say "any" instead.
    return { kind: 'char', set: negated ? (exact ? complement(set) : ANY_CHAR) : set };
  }

  function single(value: number): Escaped {
    return { set: [[value, value]], exact: true, char: value };
  }

  function group(): RegExpNode {
    const start = at - 1;
    let look: { behind: boolean; negative: boolean } | undefined;
    if (peek() === '?') {
      const kind = pattern.slice(at, at + 3);
      if (kind.startsWith('?=') || kind.startsWith('?!')) look = { behind: false, negative: kind[1] === '!' };
      else if (kind === '?<=' || kind === '?<!') look = { behind: true, negative: kind[2] === '!' };
      if (look !== undefined) at += look.behind ? 3 : 2;
      else if (kind.startsWith('?:')) at += 2;
      else if (kind.startsWith('?<')) at = pattern.indexOf('>', at) + 1;
      // Newer engines read more after `(?` (modifiers such as `(?i:`), which would change what the analysis knows.
      else throw new SyntaxError(`the group at offset ${start} has a form this check does not read`);
    }
    const body = alternation();
    at += 1;
    return look === undefined ? body : { kind: 'look', body, ...look, at: start };
  }

  function atom(): RegExpNode {
    const start = at;
    const char = take();
    if (char === '(') return group();
    if (char === '[') return characterClass();
    if (char === '.') return { kind: 'char', set: DOT };
    if (char === '^' || char === '$') return { kind: 'assert', which: char };
    if (char !== '\\') return { kind: 'char', set: single(code(char)).set };
    const next = peek();
    if (next === 'b' || next === 'B') {
      at += 1;
      return { kind: 'assert', which: next };
    }
    if (next === 'k' || (next !== undefined && next >= '1' && next <= '9')) {
      at += 1;
      return { kind: 'backref', at: start };
    }
    return { kind: 'char', set: escape(false).set };
  }

  function quantified(body: RegExpNode): RegExpNode {
    const at0 = at;
    const char = peek();
    let min: number;
    let max: number;
    if (char === '*' || char === '+' || char === '?') {
      at += 1;
      [min, max] = char === '*' ? [0, Infinity] : char === '+' ? [1, Infinity] : [0, 1];
    } else if (char === '{') {
      const close = pattern.indexOf('}', at);
      const [low, high] = pattern.slice(at + 1, close).split(',');
      min = Number(low);
      max = high === undefined ? min : high === '' ? Infinity : Number(high);
      at = close + 1;
    } else {
      return body;
    }
    // Laziness changes the order choices are tried in, not how many there are.
    if (peek() === '?') at += 1;
    return { kind: 'repeat', body, min, max, at: at0 };
  }

  function sequence(): RegExpNode {
    const items: RegExpNode[] = [];
    while (at < pattern.length && peek() !== '|' && peek() !== ')') items.push(quantified(atom()));
    return items.length === 1 ? items[0]! : { kind: 'seq', items };
  }

  function alternation(): RegExpNode {
    const options = [sequence()];
    while (peek() === '|') {
      at += 1;
      options.push(sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  return alternation();
}
