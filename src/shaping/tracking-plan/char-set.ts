/**
 * Sets of characters (code points) for the pattern analysis: sorted, disjoint, inclusive ranges.
 * The analysis only ever asks whether two sets share a character, so a set may be larger than the
 * truth (the answer is then "maybe", and the pattern is refused), never smaller.
 */
export type CharSet = ReadonlyArray<readonly [number, number]>;

const MAX_CODE_POINT = 0x10ffff;

/** Every character. */
export const ANY_CHAR: CharSet = [[0, MAX_CODE_POINT]];

/** No character. */
export const NO_CHAR: CharSet = [];

/** The set of the given ranges, in any order, overlapping or not. */
export function charSet(ranges: ReadonlyArray<readonly [number, number]>): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** The characters of either set. */
export function union(a: CharSet, b: CharSet): CharSet {
  return charSet([...a, ...b]);
}

/** The characters of both sets. */
export function intersection(a: CharSet, b: CharSet): CharSet {
  const out: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const from = Math.max(a[i]![0], b[j]![0]);
    const to = Math.min(a[i]![1], b[j]![1]);
    if (from <= to) out.push([from, to]);
    if (a[i]![1] < b[j]![1]) i += 1;
    else j += 1;
  }
  return out;
}

/** The characters not in the set. */
export function complement(set: CharSet): CharSet {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [from, to] of set) {
    if (from > next) out.push([next, from - 1]);
    next = to + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/** Whether the sets share a character. */
export function intersects(a: CharSet, b: CharSet): boolean {
  return intersection(a, b).length > 0;
}

const code = (char: string): number => char.codePointAt(0)!;

/** `\d` */
export const DIGIT: CharSet = [[code('0'), code('9')]];
/** `\w` (the `u` flag without `i`, as Ajv compiles patterns) */
export const WORD: CharSet = charSet([[code('0'), code('9')], [code('A'), code('Z')], [code('_'), code('_')], [code('a'), code('z')]]);
/** `\s`: ECMAScript's white space and line terminators. */
export const SPACE: CharSet = charSet([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
/** `.` without the `s` flag: all but the line terminators. */
export const DOT: CharSet = complement(charSet([[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]]));
