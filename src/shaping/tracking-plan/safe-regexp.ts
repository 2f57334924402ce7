import type { Options } from 'ajv';

type RegExpEngine = NonNullable<NonNullable<Options['code']>['regExp']>;

/** The longest `pattern` a plan may hold. */
const MAX_PATTERN_LENGTH = 1000;

/** What the scan knows of one open group. */
interface GroupState {
  /** A quantifier occurs inside it. */
  quantified: boolean;
  /** The first character of each alternative, or null when it does not begin with a literal. */
  readonly firsts: Array<string | null>;
  /** It, or a group inside it, has alternatives that may begin alike (`a|a`, `a|ab`, `\d|1`). */
  overlapping: boolean;
}

/** Characters that do not stand for themselves at the start of an alternative. */
const NOT_LITERAL = new Set(['\\', '[', '(', ')', '.', '|', '*', '+', '?', '{', '^', '$']);

const QUANTIFIER_START = new Set(['*', '+', '?', '{']);

/** Length of a group's opening after `(`: `?:`, `?=`, `?!`, `?<=`, `?<!`, `?<name>` (0 for a plain group). */
function groupPrefixLength(pattern: string, at: number): number {
  if (pattern[at] !== '?') return 0;
  const next = pattern[at + 1];
  if (next === ':' || next === '=' || next === '!') return 2;
  if (next === '<') {
    if (pattern[at + 2] === '=' || pattern[at + 2] === '!') return 3;
    const close = pattern.indexOf('>', at);
    return close === -1 ? 1 : close - at + 1;
  }
  return 1;
}

/** The literal characters an alternative starting at `at` surely begins with (one followed by a quantifier is not sure). */
function firstOf(pattern: string, at: number): string | null {
  let end = at;
  while (end < pattern.length && !NOT_LITERAL.has(pattern[end]!) && !QUANTIFIER_START.has(pattern[end + 1] ?? '')) end += 1;
  return end === at ? null : pattern.slice(at, end);
}

/** Two alternatives may begin alike unless each begins with literal text that is not the start of the other's. */
function mayBeginAlike(firsts: ReadonlyArray<string | null>): boolean {
  for (let a = 0; a < firsts.length; a += 1) {
    for (let b = a + 1; b < firsts.length; b += 1) {
      const [first, second] = [firsts[a], firsts[b]];
      if (first === null || second === null || first.startsWith(second) || second.startsWith(first)) return true;
    }
  }
  return false;
}

/**
 * Why a pattern could backtrack exponentially (or read what a message cannot bound), or undefined
 * when it is safe. A linear scan with the star-height test of safe-regex: a repeated group that
 * itself holds a quantifier (`(a+)+`, `(\w*)*`, `(x{1,9}){2,}`) can try exponentially many ways to
 * split one string, and so can a repeated group whose alternatives may begin with the same
 * character (`(a|a)*`, `(a|ab)+`, `(\w|_)*`): only alternatives that begin with literal text none
 * of the others starts with (`(foo|bar|baz)*`) are let through. Back-references are refused too (matching them
 * is NP-hard). Conservative: some safe patterns are refused, with the reason.
 */
export function regexpHazard(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `it is over ${MAX_PATTERN_LENGTH} characters`;
  const groups: GroupState[] = [];
  const markQuantified = (): void => {
    for (const group of groups) group.quantified = true;
  };
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    const quantifierAt = (at: number): boolean => pattern[at] === '*' || pattern[at] === '+' || pattern[at] === '?' || (pattern[at] === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(at)));
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'it uses a back-reference';
      i += 1;
      if (!inClass && quantifierAt(i + 1)) markQuantified();
      continue;
    }
    if (inClass) {
      if (char === ']') {
        inClass = false;
        if (quantifierAt(i + 1)) markQuantified();
      }
      continue;
    }
    if (char === '[') {
      inClass = true;
    } else if (char === '(') {
      i += groupPrefixLength(pattern, i + 1);
      groups.push({ quantified: false, firsts: [firstOf(pattern, i + 1)], overlapping: false });
    } else if (char === '|') {
      groups.at(-1)?.firsts.push(firstOf(pattern, i + 1));
    } else if (char === ')') {
      const group = groups.pop() ?? { quantified: false, firsts: [], overlapping: false };
      const overlapping = group.overlapping || mayBeginAlike(group.firsts);
      // `?` alone repeats nothing, so `(a+)?` is safe; `*`, `+` and `{n,}` repeat.
      const repeated = pattern[i + 1] === '*' || pattern[i + 1] === '+' || (pattern[i + 1] === '{' && /^\{\d+,\d*\}/.test(pattern.slice(i + 1)));
      if (repeated && group.quantified) return `the quantified group ending at offset ${i} holds a quantifier (nested repetition backtracks exponentially)`;
      if (repeated && overlapping) return `the quantified group ending at offset ${i} holds alternatives that may begin alike (overlapping alternatives backtrack exponentially)`;
      const parent = groups.at(-1);
      if (parent !== undefined) parent.overlapping ||= overlapping;
      if (quantifierAt(i + 1) || group.quantified) markQuantified();
    } else if (quantifierAt(i)) {
      markQuantified();
    }
  }
  return undefined;
}

/**
 * The regular-expression engine handed to Ajv (`code.regExp`): every `pattern` and
 * `patternProperties` key of a plan goes through it at compile time, so a hazardous one fails the
 * plan's compilation instead of hanging a call.
 */
export const safeRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    const hazard = regexpHazard(pattern);
    if (hazard !== undefined) throw new Error(`pattern ${JSON.stringify(pattern)} is refused: ${hazard}`);
    return new RegExp(pattern, flags);
  },
  // Ajv names the engine in standalone code, which this package never generates.
  { code: 'new RegExp' },
);
