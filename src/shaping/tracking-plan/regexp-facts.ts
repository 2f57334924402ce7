/**
 * What every match of each part of a parsed pattern has in common: the facts the cost analysis of
 * safe-regexp.ts reasons from, computed once per part.
 */
import { intersects, NO_CHAR, union, type CharSet } from './char-set.js';
import type { RegExpNode } from './regexp-syntax.js';

/** How many ways overlapping alternatives (`(\d{5}|\d{5}-\d{4})`) may multiply to: a constant factor of the matching time. */
export const MAX_WAYS = 64;
/** How many leading characters of each alternative are compared to tell alternatives apart. */
const MAX_PREFIX = 16;

/** What every match of a part of a pattern has in common. */
export interface Facts {
  readonly nullable: boolean;
  /** Every character a match may consume. */
  readonly chars: CharSet;
  /** For each set: every match consumes at least one character of it. */
  readonly mandatory: readonly CharSet[];
  /** The i-th character of every match is in `prefix[i]` (as far as the list goes). */
  readonly prefix: readonly CharSet[];
  /** The length of every match, when all have the same. */
  readonly fixed: number | undefined;
  /** It matches at any position, consuming nothing if need be: what follows it can never make the match fail. */
  readonly alwaysMatches: boolean;
  /** An upper bound on the ways it can match at one position (capped above `MAX_WAYS`). */
  readonly ways: number;
}

/** Why a pattern is refused; thrown inside the analysis only, to unwind it, and caught by `regexpHazard`. */
export class Refusal {
  constructor(readonly reason: string) {}
}

/** The reason a back-reference is refused. */
export const BACK_REFERENCE = 'it uses a back-reference (matching those is NP-hard)';

const facts = new WeakMap<RegExpNode, Facts>();

function capped(ways: number): number {
  return Math.min(ways, MAX_WAYS + 1);
}

/** Two alternatives cannot both match at one position when some leading character of theirs cannot be alike. */
function apart(a: Facts, b: Facts): boolean {
  const length = Math.min(a.prefix.length, b.prefix.length);
  for (let index = 0; index < length; index += 1) if (!intersects(a.prefix[index]!, b.prefix[index]!)) return true;
  return false;
}

/** The facts of `node`; throws `Refusal` for a back-reference, whose cost no fact bounds. */
export function factsOf(node: RegExpNode): Facts {
  const known = facts.get(node);
  if (known !== undefined) return known;
  const found = computeFacts(node);
  facts.set(node, found);
  return found;
}

function computeFacts(node: RegExpNode): Facts {
  switch (node.kind) {
    case 'char':
      return { nullable: false, chars: node.set, mandatory: [node.set], prefix: [node.set], fixed: 1, alwaysMatches: false, ways: 1 };
    case 'assert':
    case 'look':
      return { nullable: true, chars: NO_CHAR, mandatory: [], prefix: [], fixed: 0, alwaysMatches: false, ways: node.kind === 'look' ? factsOf(node.body).ways : 1 };
    case 'backref':
      throw new Refusal(BACK_REFERENCE);
    case 'seq': {
      let chars = NO_CHAR;
      const mandatory: CharSet[] = [];
      const prefix: CharSet[] = [];
      let fixed: number | undefined = 0;
      let open = true;
      let [nullable, alwaysMatches, ways] = [true, true, 1];
      for (const item of node.items) {
        const inner = factsOf(item);
        chars = union(chars, inner.chars);
        mandatory.push(...inner.mandatory);
        if (open) prefix.push(...inner.prefix);
        open &&= inner.fixed !== undefined && inner.prefix.length === inner.fixed;
        fixed = fixed === undefined || inner.fixed === undefined ? undefined : fixed + inner.fixed;
        nullable &&= inner.nullable;
        alwaysMatches &&= inner.alwaysMatches;
        ways = capped(ways * inner.ways);
      }
      return { nullable, chars, mandatory, prefix: prefix.slice(0, MAX_PREFIX), fixed, alwaysMatches, ways };
    }
    case 'alt': {
      const options = node.options.map(factsOf);
      const shortest = Math.min(...options.map((option) => option.prefix.length));
      const prefix = Array.from({ length: shortest }, (_, index) => options.map((option) => option.prefix[index]!).reduce(union));
      const nullable = options.some((option) => option.nullable);
      const chars = options.map((option) => option.chars).reduce(union);
      const fixed = options.every((option) => option.fixed === options[0]!.fixed) ? options[0]!.fixed : undefined;
      const alike = options.some((option, index) => options.slice(index + 1).some((other) => !apart(option, other)));
      const ways = alike ? options.reduce((sum, option) => capped(sum + option.ways), 0) : Math.max(...options.map((option) => option.ways));
      return { nullable, chars, mandatory: nullable ? [] : [chars], prefix, fixed, alwaysMatches: options.some((option) => option.alwaysMatches), ways };
    }
    case 'repeat': {
      const body = factsOf(node.body);
      const whole = body.fixed !== undefined && body.prefix.length === body.fixed;
      const prefix = node.min === 0 ? [] : whole ? Array.from({ length: Math.min(node.min, MAX_PREFIX) }, () => body.prefix).flat() : body.prefix;
      return {
        nullable: node.min === 0 || body.nullable,
        chars: node.max === 0 ? NO_CHAR : body.chars,
        mandatory: node.min === 0 ? [] : body.mandatory,
        prefix: prefix.slice(0, MAX_PREFIX),
        fixed: node.min === node.max && body.fixed !== undefined ? body.fixed * node.min : undefined,
        alwaysMatches: node.min === 0 || body.alwaysMatches,
        ways: node.min === node.max ? capped(body.ways ** Math.min(node.min, MAX_WAYS)) : body.ways,
      };
    }
  }
}
