/**
 * One reading of a submission: the assessment guard (HTTP body) and `watchpost assess` (a
 * JSON line) accept, refuse and convert the same fields the same way.
 */
import type { Request } from 'express';
import { assert } from '../helpers/counted-assert';
import { parseSubmission } from '../../lib/core/assessment-submission';
import { readSubmission } from '../../lib/http/assessment-guard';
import { toSubmission } from '../../lib/cli/assess';
import { parseAssessmentPolicy } from '../../lib/config/policies';

const AT = new Date('2025-03-04T05:06:07Z');
const policy = parseAssessmentPolicy({}, 'spec');

function viaGuard(fields: Record<string, unknown>): unknown {
  return readSubmission(policy, { body: fields } as unknown as Request, AT);
}

function viaCli(fields: Record<string, unknown>): unknown {
  const r = toSubmission({ ...fields, submitted_at: AT.toISOString() });
  return 'error' in r ? r.error : r;
}

const base = { user: 'ann', type: 'quiz', completion_time: 120, responses: { q1: 'a', q2: 'b' } };

describe('core/assessment-submission: one reading for the guard and the CLI', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['a plain submission', base, true],
    ['numbers sent as text (a form body)', { ...base, completion_time: '120', score: '7.5', item_times: { q1: '3', q2: 4 } }, true],
    ['a numeric user id', { ...base, user: 12345 }, true],
    ['a negative time is a value for the detector, not a refusal', { ...base, completion_time: -3 }, true],
    ['odd item times are passed on for the detector to report', { ...base, item_times: { q1: 'x', q2: -1 } }, true],
    ['a type with spaces', { ...base, type: 'Math Quiz 1' }, true],
    ['more answers than the detector reads are judged, not skipped', { ...base, responses: Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`q${i}`, 1])) }, true],
    ['no user', { ...base, user: undefined }, false],
    ['a user over 320 characters', { ...base, user: 'u'.repeat(321) }, false],
    ['a type over 128 characters', { ...base, type: 't'.repeat(129) }, false],
    ['a type with a control character', { ...base, type: 'quiz\n2' }, false],
    ['a time that is not a number', { ...base, completion_time: 'soon' }, false],
    ['responses that are not an object', { ...base, responses: ['a'] }, false],
    ['a score that is not a number', { ...base, score: 'A+' }, false],
    ['item times that are not an object', { ...base, item_times: [1, 2] }, false],
  ];
  for (const [name, fields, ok] of cases) {
    it(`${ok ? 'accepts' : 'refuses'}: ${name}`, () => {
      const g = viaGuard(fields);
      const c = viaCli(fields);
      assert.equal(typeof g === 'string', !ok, `guard: ${JSON.stringify(g).slice(0, 120)}`);
      assert.deepEqual(g, c, 'the guard and the CLI agree');
    });
  }

  it('converts numeric text to numbers and keeps the given time', () => {
    const s = parseSubmission({ completion_time: ' 42 ', responses: {}, score: '0', item_times: { q1: '2.5', q2: 'x' } }, 7, 'quiz', AT);
    assert.ok(typeof s !== 'string');
    assert.equal(s.user, '7');
    assert.equal(s.completionTimeSec, 42);
    assert.equal(s.score, 0);
    assert.deepEqual(s.itemTimesSec, { q1: 2.5, q2: 'x' });
    assert.equal(s.submittedAt, AT);
  });

  it('item times all numbers are kept as given; an inherited key never becomes an item time', () => {
    const times = { q1: 3, q2: 4.5 };
    const kept = parseSubmission({ completion_time: 60, responses: {}, item_times: times }, 'u', 'quiz', AT);
    assert.ok(typeof kept !== 'string');
    assert.equal(kept.itemTimesSec, times, 'the object itself, not a copy');
    const inherited = Object.assign(Object.create({ stray: 'x' }) as Record<string, unknown>, { q1: 3, q2: '4' });
    const s = parseSubmission({ completion_time: 60, responses: {}, item_times: inherited }, 'u', 'quiz', AT);
    assert.ok(typeof s !== 'string');
    assert.deepEqual(s.itemTimesSec, { q1: 3, q2: 4 });
    assert.ok(!Object.prototype.hasOwnProperty.call(s.itemTimesSec, 'stray'));
  });
});
