import type { Options } from 'ajv';

type RegExpEngine = NonNullable<NonNullable<Options['code']>['regExp']>;

/** The longest `pattern` a plan may hold. */
const MAX_PATTERN_LENGTH = 1000;

/**
 * Why a pattern could backtrack exponentially (or read what a message cannot bound), or undefined
 * when it is safe. A linear scan with the star-height test of safe-regex: a quantified group that
 * itself holds a quantifier (`(a+)+`, `(\w*)*`, `(x{1,9}){2,}`) can try exponentially many ways to
 * split one string. Back-references are refused too (matching them is NP-hard). Overlapping
 * alternatives inside a quantified group (`(a|a)*`) are not detected.
 */
export function regexpHazard(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `it is over ${MAX_PATTERN_LENGTH} characters`;
  // For each open group: whether a quantifier occurs inside it.
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    const quantifierAt = (at: number): boolean => pattern[at] === '*' || pattern[at] === '+' || pattern[at] === '?' || (pattern[at] === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(at)));
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && (/[1-9]/.test(next) || next === 'k')) return 'it uses a back-reference';
      i += 1;
      if (!inClass && quantifierAt(i + 1)) groups.fill(true);
      continue;
    }
    if (inClass) {
      if (char === ']') {
        inClass = false;
        if (quantifierAt(i + 1)) groups.fill(true);
      }
      continue;
    }
    if (char === '[') {
      inClass = true;
    } else if (char === '(') {
      groups.push(false);
    } else if (char === ')') {
      const holdsQuantifier = groups.pop() ?? false;
      // `?` alone repeats nothing, so `(a+)?` is safe; `*`, `+` and `{n,}` repeat.
      const repeated = pattern[i + 1] === '*' || pattern[i + 1] === '+' || (pattern[i + 1] === '{' && /^\{\d+,\d*\}/.test(pattern.slice(i + 1)));
      if (repeated && holdsQuantifier) return `the quantified group ending at offset ${i} holds a quantifier (nested repetition backtracks exponentially)`;
      if (quantifierAt(i + 1) || holdsQuantifier) groups.fill(true);
    } else if (quantifierAt(i)) {
      groups.fill(true);
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
