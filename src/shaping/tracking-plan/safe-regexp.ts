import type { Options } from 'ajv';
import { ANY_CHAR, intersection, intersects, type CharSet } from './char-set.js';
import { BACK_REFERENCE, factsOf, MAX_WAYS, Refusal } from './regexp-facts.js';
import { parseRegExp, type RegExpNode } from './regexp-syntax.js';

type RegExpEngine = NonNullable<NonNullable<Options['code']>['regExp']>;

/** The longest `pattern` a plan may hold. */
const MAX_PATTERN_LENGTH = 1000;
/**
 * How many choice points the analysis may handle, each counted once per level of nesting it is
 * carried through: only nested counted repeats, each level doubling the copies, come near it.
 */
const MAX_CHOICE_POINTS = 10_000;

/**
 * A place backtracking comes back to for another choice: a quantifier with a choice of counts, the
 * implicit search loop of an unanchored pattern (`at` -1), or a lookaround that reads an unbounded
 * text each time it is reached (it has no choice, but every arrival costs a scan).
 */
interface ChoicePoint {
  readonly at: number;
  readonly look: boolean;
  /** The characters one of its iterations may consume (every one for a lookaround). */
  readonly chars: CharSet;
  /** Sets every iteration consumes a character of. */
  readonly own: readonly CharSet[];
  /** Sets consumed between it and the start, and between it and the end, of the part analysed so far. */
  readonly before: readonly CharSet[];
  readonly after: readonly CharSet[];
  /** Nothing after it can fail, so the matcher never comes back to it. */
  readonly terminal: boolean;
  /** It may take more than two counts (`*`, `+`, `{2,5}`), or it is a lookaround. */
  readonly wide: boolean;
}

const SEARCH: RegExpNode = { kind: 'repeat', body: { kind: 'char', set: ANY_CHAR }, min: 0, max: Infinity, at: -1 };

/**
 * Two choice points, the first before the second, can share text: some text can be read by the
 * first's iterations, by the second's, and by everything that lies between them. Only then can a
 * failing match try every way to split that text between the two, a factor of its length for
 * each such pair. Sets that a part must consume a character of and that hold none of the shared
 * characters separate them.
 */
function shareText(first: ChoicePoint, second: ChoicePoint, between: ReadonlyArray<readonly CharSet[]>): boolean {
  const shared = intersection(first.chars, second.chars);
  if (shared.length === 0) return false;
  for (const sets of [first.own, first.after, ...between, second.before, second.own]) {
    for (const set of sets) if (!intersects(set, shared)) return false;
  }
  return true;
}

function sharedTextReason(first: ChoicePoint, second: ChoicePoint): string {
  const what = second.look ? `the lookaround at offset ${second.at}, which reads the rest of the text each time it is reached,` : `the quantifier at offset ${second.at}`;
  if (first.at === -1) {
    return `it is not anchored with ^, and ${what} may match text the search has passed over: a failing search tries it again from every start (polynomial backtracking)`;
  }
  if (first.at === second.at) {
    return `the quantifier at offset ${first.at}, in a repeated part, may match the same text in one repeat as in the next, and so may what lies between them: a failing match tries every way to share that text between them (polynomial backtracking)`;
  }
  return `the quantifier at offset ${first.at} and ${what} may match the same text, and so may what lies between them: a failing match tries every way to share that text between them (polynomial backtracking)`;
}

/** The analysis of one pattern: its choice points, refusing any two that can share text. */
class Analysis {
  private count = 0;

  /** The choice points of `node`, each pair of them checked; `tailMayFail`: something after `node` can fail. */
  points(node: RegExpNode, tailMayFail: boolean): ChoicePoint[] {
    switch (node.kind) {
      case 'char':
      case 'assert':
        return [];
      case 'backref':
        throw new Refusal(BACK_REFERENCE);
      case 'alt':
        return node.options.flatMap((option) => this.points(option, tailMayFail));
      case 'look':
        return this.look(node);
      case 'seq':
        return this.sequence(node.items, tailMayFail);
      case 'repeat':
        return this.repeat(node, tailMayFail);
    }
  }

  private made(point: ChoicePoint): ChoicePoint {
    this.count += 1;
    if (this.count > MAX_CHOICE_POINTS) throw new Refusal(`it is too intricate to check: its choice points, with counted repeats unrolled and counted once per level of nesting, are over ${MAX_CHOICE_POINTS}`);
    return point;
  }

  private look(node: Extract<RegExpNode, { kind: 'look' }>): ChoicePoint[] {
    // Matched backwards, a lookbehind's last part is tried first: nothing in it is taken as terminal.
    const inner = this.points(node.body, node.behind);
    if (!inner.some((point) => point.wide)) return [];
    return [this.made({ at: node.at, look: true, chars: ANY_CHAR, own: [], before: [], after: [], terminal: false, wide: true })];
  }

  private sequence(items: readonly RegExpNode[], tailMayFail: boolean): ChoicePoint[] {
    const mandatory = items.map((item) => factsOf(item).mandatory);
    const found: ChoicePoint[][] = [];
    let mayFail = tailMayFail;
    for (let index = items.length - 1; index >= 0; index -= 1) {
      found[index] = this.points(items[index]!, mayFail);
      mayFail ||= !factsOf(items[index]!).alwaysMatches;
    }
    for (let later = 1; later < items.length; later += 1) {
      for (const second of found[later]!) {
        // A terminal quantifier fails within its first iteration or ends the match: no text is split.
        if (second.terminal) continue;
        for (let earlier = 0; earlier < later; earlier += 1) {
          const between = mandatory.slice(earlier + 1, later);
          for (const first of found[earlier]!) {
            if (!first.look && shareText(first, second, between)) throw new Refusal(sharedTextReason(first, second));
          }
        }
      }
    }
    return found.flatMap((points, index) =>
      points.map((point) => this.made({ ...point, before: [...mandatory.slice(0, index).flat(), ...point.before], after: [...point.after, ...mandatory.slice(index + 1).flat()] })),
    );
  }

  private repeat(node: Extract<RegExpNode, { kind: 'repeat' }>, tailMayFail: boolean): ChoicePoint[] {
    if (node.max === 0) return [];
    if (node.min === node.max) {
      // Two copies stand for them all: a pair across copies is closest between neighbours, and a later copy is only further from the rest.
      return node.min === 1 ? this.points(node.body, tailMayFail) : this.sequence([node.body, node.body], tailMayFail);
    }
    const body = factsOf(node.body);
    const inner = this.points(node.body, node.max === 1 ? tailMayFail : true);
    if (node.max >= 2 && inner.length > 0) {
      return this.refuse(`the quantifier at offset ${node.at} repeats a part that holds a quantifier or a lookaround over unbounded text (nested repetition backtracks exponentially)`);
    }
    if (node.max >= 2 && body.ways > 1) {
      return this.refuse(`the quantifier at offset ${node.at} repeats a part whose alternatives may match alike (overlapping alternatives backtrack exponentially)`);
    }
    const self = this.made({ at: node.at, look: false, chars: body.chars, own: body.mandatory, before: [], after: [], terminal: !tailMayFail, wide: node.max - node.min >= 2 });
    return [self, ...inner];
  }

  private refuse(reason: string): never {
    throw new Refusal(reason);
  }
}

function anchoredAtStart(node: RegExpNode): boolean {
  if (node.kind === 'assert') return node.which === '^';
  if (node.kind === 'seq') return node.items.length > 0 && anchoredAtStart(node.items[0]!);
  if (node.kind === 'alt') return node.options.every(anchoredAtStart);
  return node.kind === 'repeat' && node.min > 0 && anchoredAtStart(node.body);
}

/**
 * Why matching a pattern could take more than linear time in the length of the text (or read what
 * a message cannot bound), or undefined when it cannot. See docs/tracking-plans.md for the rules
 * and why a pattern that passes them matches in linear time. Conservative: some safe patterns are
 * refused, with the reason.
 */
export function regexpHazard(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `it is over ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `it is not a valid regular expression (${(error as Error).message})`;
  }
  let tree: RegExpNode;
  try {
    tree = parseRegExp(pattern);
  } catch (error) {
    return `it uses syntax the check does not read (${(error as Error).message})`;
  }
  // An unanchored pattern is tried from every start: the search is a loop over any text before it.
  const root: RegExpNode = anchoredAtStart(tree) ? tree : { kind: 'seq', items: [SEARCH, tree] };
  try {
    new Analysis().points(root, false);
    const { ways } = factsOf(root);
    if (ways > MAX_WAYS) return `its alternatives that may match alike multiply to more than ${MAX_WAYS} ways of matching (overlapping alternatives backtrack exponentially)`;
  } catch (error) {
    if (error instanceof Refusal) return error.reason;
    throw error;
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
