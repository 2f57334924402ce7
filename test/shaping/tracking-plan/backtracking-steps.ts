import type { CharSet } from '../../../src/shaping/tracking-plan/char-set.js';
import { parseRegExp, type RegExpNode } from '../../../src/shaping/tracking-plan/regexp-syntax.js';

/**
 * A plain backtracking matcher, as ECMAScript specifies one (greedy quantifiers, alternatives in
 * order, an iteration that matches nothing ends the loop, lookarounds atomic), that counts its
 * steps: one per pattern part tried at a position. Engines differ in constant factors and
 * shortcuts, not in how the count grows with the text. For test texts of single-unit characters
 * and without lookbehinds.
 */
export function backtrackingSteps(pattern: string, text: string): number {
  const root = parseRegExp(pattern);
  let steps = 0;
  const isWord = (at: number): boolean => at >= 0 && at < text.length && /\w/.test(text[at]!);
  const inSet = (set: CharSet, char: number): boolean => set.some(([from, to]) => char >= from && char <= to);

  function match(node: RegExpNode, at: number, next: (at: number) => boolean): boolean {
    steps += 1;
    switch (node.kind) {
      case 'char':
        return at < text.length && inSet(node.set, text.charCodeAt(at)) && next(at + 1);
      case 'assert': {
        const boundary = isWord(at - 1) !== isWord(at);
        const holds = node.which === '^' ? at === 0 : node.which === '$' ? at === text.length : node.which === 'b' ? boundary : !boundary;
        return holds && next(at);
      }
      case 'seq': {
        const from = (index: number, position: number): boolean => (index === node.items.length ? next(position) : match(node.items[index]!, position, (after) => from(index + 1, after)));
        return from(0, at);
      }
      case 'alt':
        return node.options.some((option) => match(option, at, next));
      case 'repeat': {
        const iterate = (count: number, position: number): boolean =>
          (count < node.max && match(node.body, position, (after) => (after === position && count >= node.min ? false : iterate(count + 1, after)))) || (count >= node.min && next(position));
        return iterate(0, at);
      }
      case 'look': {
        if (node.behind) throw new Error('lookbehinds are not modelled');
        const found = match(node.body, at, () => true);
        return found !== node.negative && next(at);
      }
      case 'backref':
        throw new Error('back-references are not modelled');
    }
  }

  for (let start = 0; start <= text.length; start += 1) if (match(root, start, () => true)) break;
  return steps;
}
