import assert from 'node:assert/strict';
import { test } from 'node:test';
import { specProblems } from '../../src/sink/find-problems.js';

const check = (message: Record<string, unknown>) => specProblems(message, JSON.stringify(message)).map((problem) => `${problem.path} ${problem.code}`);

test('the Segment Spec problems of received messages: the library\'s own rules, each with its field path', () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ type: 'track', userId: 'u', event: 'Fine', messageId: 'm', timestamp: '2026-01-02T03:04:05.678Z' }, []],
    [{ type: 'track', userId: 'u' }, ['event MR_ERR_MISSING_FIELD']],
    [{ type: 'identify' }, ['userId MR_ERR_MISSING_IDENTITY']],
    [{ type: 'alias', userId: 'u' }, ['previousId MR_ERR_MISSING_FIELD']],
    [{ type: 'group', userId: 'u', groupId: 'g', traits: [1] }, ['traits MR_ERR_INVALID_FIELD']],
    [{ type: 'page', userId: { id: 1 } }, ['userId MR_ERR_INVALID_FIELD']],
    [{ type: 'screen', anonymousId: 'a', context: 'text' }, ['context MR_ERR_INVALID_FIELD']],
    [{ type: 'launch', userId: 'u' }, ['type MR_ERR_INVALID_FIELD']],
    [{ userId: 'u' }, ['type MR_ERR_INVALID_FIELD']],
    [{ type: 'track', userId: 'u', event: 'E', timestamp: '2024-02-31T00:00:00Z' }, ['timestamp MR_ERR_INVALID_FIELD']],
    [{ type: 'track', userId: 'u', event: 'E', timestamp: 1700000000000 }, ['timestamp MR_ERR_INVALID_FIELD']],
    [{ type: 'track', userId: 'u', event: 'E', messageId: 'x'.repeat(101) }, ['messageId MR_ERR_INVALID_FIELD']],
    [{ type: 'track', userId: 'u', event: 'E', properties: { pad: 'x'.repeat(33 * 1024) } }, [' MR_ERR_MESSAGE_TOO_LARGE']],
    [{ type: 'track', event: 'E', messageId: '' }, ['userId MR_ERR_MISSING_IDENTITY', 'messageId MR_ERR_INVALID_FIELD']],
  ];
  for (const [message, expected] of cases) assert.deepEqual(check(message), expected, JSON.stringify(message).slice(0, 80));
});
