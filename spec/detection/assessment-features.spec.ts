import { assert } from '../helpers/counted-assert';
import { extractFeatures, orderItemKeys } from '../../lib/detection/assessment-features';
import { answers, config, submission } from '../helpers/assessment-fixtures';
import type { AssessmentSubmission } from '../../lib/core/types';

describe('detection/assessment-features', () => {
  it('orders numbered item keys numerically, extra fields last, other keys as sent', () => {
    assert.deepEqual(orderItemKeys(['q2', 'q10', 'q1', 'comment', 'q3']), ['q1', 'q2', 'q3', 'q10', 'comment']);
    assert.deepEqual(orderItemKeys(['3', '1', '2']), ['1', '2', '3']);
    assert.deepEqual(orderItemKeys(['name', 'age']), ['name', 'age']);
  });

  it('remembered layouts and answers: the same form twice gives the same features; look-alike key lists do not share a layout', () => {
    const responses = { ...answers(['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd', 'a', 'b']), comment: "it's <b>fine</b>" };
    const first = extractFeatures(submission({ responses }), config());
    const again = extractFeatures(submission({ responses: { ...responses } }), config());
    assert.deepEqual(again, first);
    assert.equal(first.texts.length, 1);
    // ['x\u0000y', 'z'] and ['x', 'y\u0000z'] join to the same text; each keeps its own keys
    const a = extractFeatures(submission({ responses: { 'x\u0000y': 'one', z: 'two' } }), config());
    const b = extractFeatures(submission({ responses: { x: 'three', 'y\u0000z': 'four' } }), config());
    assert.deepEqual(a.itemKeys, ['x\u0000y', 'z']);
    assert.deepEqual(b.itemKeys, ['x', 'y\u0000z']);
    assert.deepEqual(b.choiceTokens, ['three', 'four']);
    // forms taking turns, and one whose keys are the start of the last one's, keep their own layouts
    const formA = { q1: 1, q2: 2, q3: 3 };
    const formB = { r1: 'x', r2: 'y' };
    for (const [form, keys] of [[formA, ['q1', 'q2', 'q3']], [formB, ['r1', 'r2']], [formA, ['q1', 'q2', 'q3']], [{ q1: 1, q2: 2 }, ['q1', 'q2']], [formA, ['q1', 'q2', 'q3']]] as const) {
      assert.deepEqual(extractFeatures(submission({ responses: { ...form } }), config()).itemKeys, keys);
    }
    // an answer's kind depends on maxChoiceLength: remembered per setting
    const long = 'a long answer';
    assert.equal(extractFeatures(submission({ responses: answers([long, long, long]) }), config({ maxChoiceLength: 40 })).choiceTokens.length, 3);
    assert.equal(extractFeatures(submission({ responses: answers([long, long, long]) }), config({ maxChoiceLength: 5 })).choiceTokens.length, 0);
  });

  it('choice answers are the dominant kind; a comment is free text, not an item', () => {
    const f = extractFeatures(submission({ responses: { ...answers([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2]), comment: 'Too easy :)' } }), config());
    assert.equal(f.choiceTokens.length, 12);
    assert.equal(f.answered, 13);
    assert.deepEqual(f.choiceOrdinals?.slice(0, 3), [1, 2, 3]);
  });

  it('a short comment next to lettered answers does not break the answer sequence', () => {
    const f = extractFeatures(submission({ responses: { ...answers(Array(15).fill('e')), comment: "It's fine." } }), config());
    assert.deepEqual(new Set(f.choiceTokens), new Set(['e']));
    assert.equal(f.choiceTokens.length, 15);
  });

  it('normalises tokens: numbers as numbers, strings trimmed and lower-cased, labels and letters ordinal', () => {
    const f = extractFeatures(submission({ responses: answers([' Agree', 'agree ', 'Strongly agree', 'disagree']) }), config());
    assert.deepEqual(f.choiceTokens, ['agree', 'agree', 'strongly agree', 'disagree']);
    assert.deepEqual(f.choiceOrdinals, [4, 4, 5, 2]);
    const n = extractFeatures(submission({ responses: answers(['3', 3, '3.0']) }), config());
    assert.deepEqual(n.choiceTokens, ['3', '3', '3']);
  });

  it('ln time per answered item; unusable fields reported as invalid, never thrown', () => {
    const ok = extractFeatures(submission({ completionTimeSec: 120, responses: answers(Array(12).fill(1)) }), config());
    assert.ok(Math.abs((ok.lnTimePerItem as number) - Math.log(10)) < 1e-12);
    for (const bad of [-5, Number.NaN, Infinity, '12' as unknown as number, undefined as unknown as number]) {
      const f = extractFeatures(submission({ completionTimeSec: bad }), config());
      assert.equal(f.completionTimeSec, undefined);
      assert.equal(f.invalid[0].field, 'completionTimeSec');
    }
  });

  it('survives odd answer shapes: nested objects, arrays, nulls, non-object responses', () => {
    const weird: unknown[] = [null, 'text', 42, [1, 2], { a: { b: { c: { d: { e: 'deep' } } } } }];
    for (const responses of weird) {
      const f = extractFeatures(submission({ responses: responses as Record<string, unknown> }), config());
      assert.ok(Array.isArray(f.choiceTokens));
    }
    const nested = extractFeatures(
      submission({ responses: { q1: { text: "x' OR 1=1 --", tags: ['<script>'] }, q2: null, q3: '', q4: true, q5: [1, 2] } }),
      config(),
    );
    assert.equal(nested.answered, 3); // q1, q4, q5
    assert.ok(nested.texts.some((t) => t.path === 'q1.text' && t.value.includes('OR 1=1')));
    assert.ok(nested.texts.some((t) => t.path === 'q1.tags[0]'));
  });

  it('plain words are not handed to the scanner; keys with syntax are', () => {
    const f = extractFeatures(submission({ responses: { q1: 'select a plan', "q2'--": 'yes', q3: "O'Brien" } }), config());
    const scanned = f.texts.map((t) => t.value);
    assert.ok(!scanned.includes('select a plan'));
    assert.ok(scanned.includes("q2'--"));
    assert.ok(scanned.includes("O'Brien"));
  });

  it('huge forms are capped: items, strings and string length', () => {
    const responses: Record<string, unknown> = {};
    for (let i = 0; i < 20000; i++) responses[`q${i}`] = `<b>${i}</b>`;
    const cfg = config({ maxItems: 300, maxScannedStrings: 50, maxTextLength: 8 });
    const f = extractFeatures(submission({ responses }), cfg);
    assert.equal(f.itemKeys.length, 300);
    assert.equal(f.truncated, true);
    assert.equal(f.texts.length, 50);
    assert.equal(f.textsTruncated, true);
    assert.ok(f.texts.every((t) => t.value.length <= 8));
  });

  it('item times: keeps valid ones, reports bad ones', () => {
    const sub: AssessmentSubmission = submission({ itemTimesSec: { q1: 3, q2: -1, q3: 'x' as unknown as number, q4: Number.NaN } });
    const f = extractFeatures(sub, config());
    assert.deepEqual(f.itemTimesSec, { q1: 3 });
    assert.equal(f.invalid.length, 1);
    assert.match(f.invalid[0].expected, /3 bad item times/);
    assert.equal(f.itemTimeCount, 1);
  });

  it('item times by item index: the same whether times come in form order, shuffled, partial, with extra keys or with bad values', () => {
    const responses = answers(['a', 'b', 'c', 'd', 'e', 'a']);
    const byIndex = (times: Record<string, unknown>) => {
      const f = extractFeatures(submission({ responses, itemTimesSec: times as Record<string, number> }), config());
      return { at: Array.from(f.itemSecAt), keys: f.itemKeys, count: f.itemTimeCount };
    };
    const inOrder = byIndex({ q1: 1, q2: 2, q3: 3, q4: 4, q5: 5, q6: 6 });
    assert.deepEqual(inOrder.at, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(inOrder.keys, ['q1', 'q2', 'q3', 'q4', 'q5', 'q6']);
    assert.equal(inOrder.count, 6);
    assert.deepEqual(byIndex({ q6: 6, q2: 2, q1: 1, q5: 5, q3: 3, q4: 4 }).at, [1, 2, 3, 4, 5, 6], 'shuffled');
    assert.deepEqual(byIndex({ q1: 1, q2: 2, q3: 3 }).at, [1, 2, 3, NaN, NaN, NaN], 'a prefix');
    assert.deepEqual(byIndex({ q2: 2, q4: 4 }).at, [NaN, 2, NaN, 4, NaN, NaN], 'some');
    const extra = byIndex({ q1: 1, q2: 2, q3: 3, q4: 4, q5: 5, q6: 6, q7: 7, bonus: 9 });
    assert.deepEqual(extra.at, [1, 2, 3, 4, 5, 6], 'keys that are no item are left out');
    assert.equal(extra.count, 8, 'but counted among the times');
    const bad = byIndex({ q1: 1, q2: -1, q3: 'x', q4: 4, q5: Number.NaN, q6: 0 });
    assert.deepEqual(bad.at, [1, NaN, NaN, 4, NaN, 0], 'a bad time is no time; 0 is a time');
    assert.equal(bad.count, 3);
  });

  it('answers read in one pass when sent in form order give the features of the same answers sent shuffled', () => {
    const ordered = { q1: 'agree', q2: 'neutral', q3: 'disagree', q4: 'agree', q5: 'strongly agree', comment: 'fine' };
    const shuffled = { q4: 'agree', comment: 'fine', q2: 'neutral', q5: 'strongly agree', q1: 'agree', q3: 'disagree' };
    const a = extractFeatures(submission({ responses: ordered }), config());
    const b = extractFeatures(submission({ responses: shuffled }), config());
    assert.deepEqual(a.choiceTokens, ['agree', 'neutral', 'disagree', 'agree', 'strongly agree']);
    assert.deepEqual(b.choiceTokens, a.choiceTokens);
    assert.deepEqual(b.choiceOrdinals, a.choiceOrdinals);
    assert.equal(b.answered, a.answered);
  });
});
