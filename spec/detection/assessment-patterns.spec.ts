import { assert } from '../helpers/counted-assert';
import { PATTERN_BITS, answerPatterns, patternBits } from '../../lib/detection/assessment-patterns';

const ords = (xs: readonly (string | number)[]): number[] | undefined =>
  xs.every((x) => typeof x === 'number') ? (xs as number[]) : xs.every((x) => typeof x === 'string' && /^[a-z]$/.test(x)) ? (xs as string[]).map((x) => x.charCodeAt(0) - 96) : undefined;
const report = (xs: readonly (string | number)[]) => answerPatterns(xs.map(String), ords(xs), 0.9);
const rep = (s: string, n: number): string[] => Array.from({ length: n }, (_, i) => s[i % s.length]);

describe('detection/assessment-patterns', () => {
  describe('straight-lining', () => {
    it('flags one answer throughout', () => {
      const r = report(Array(12).fill(3));
      assert.equal(r.allSame, true);
      assert.equal(r.longstring, 12);
      assert.equal(r.distinct, 1);
    });
    it('one differing answer is near, not straight-lining; two is near2', () => {
      const one = report([3, 3, 3, 3, 3, 3, 4, 3, 3, 3, 3, 3]);
      assert.equal(one.allSame, false);
      assert.equal(one.near.allSame, true);
      const two = report([3, 3, 3, 3, 5, 3, 4, 3, 3, 3, 3, 3]);
      assert.equal(two.near.allSame, false);
      assert.equal(two.near2.allSame, true);
    });
  });

  describe('sequential', () => {
    const flagged: [string, (string | number)[], string][] = [
      ['ascending letters a-b-c-d', rep('abcd', 12), 'cycle'],
      ['descending letters d-c-b-a', rep('dcba', 12), 'cycle'],
      ['a cycle that starts mid-way', rep('cdab', 13), 'cycle'],
      ['ascending 1..5 on a 5-point scale', [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2], 'cycle'],
      ['7-point cycle shorter than two periods (ordinal steps)', [1, 2, 3, 4, 5, 6, 7, 1, 2, 3], 'ascending'],
      ['zigzag sweep 1-5-1', [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4], 'zigzag'],
      ['cycle with one slip in 12', ['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd', 'a', 'c', 'c', 'd'], 'cycle'],
    ];
    for (const [name, seq, direction] of flagged) {
      it(`flags: ${name}`, () => {
        const r = report(seq);
        assert.equal(r.sequential, true, JSON.stringify(r));
        assert.equal(r.direction, direction);
        assert.equal(r.alternating, false);
      });
    }
    const benign: [string, (string | number)[]][] = [
      ['honest varied Likert answers', [4, 2, 5, 3, 3, 1, 4, 5, 2, 2, 4, 3]],
      ['honest quiz answers', ['d', 'b', 'b', 'a', 'a', 'c', 'a', 'b', 'b', 'a', 'c', 'd']],
      ['small steps that turn back mid-scale', [3, 4, 3, 4, 5, 4, 3, 4, 3, 2, 3, 2]],
      ['mostly one value', [4, 4, 4, 5, 4, 4, 4, 4, 3, 4, 4, 4]],
    ];
    for (const [name, seq] of benign) {
      it(`does not flag: ${name}`, () => {
        const r = report(seq);
        assert.equal(r.sequential, false, JSON.stringify(r));
      });
    }
  });

  describe('alternating', () => {
    it('flags two answers taking turns (yes/no, 1/5, letters)', () => {
      assert.equal(report(rep('yn', 12).map((c) => (c === 'y' ? 'yes' : 'no'))).alternating, true);
      assert.equal(report([1, 5, 1, 5, 1, 5, 1, 5, 1, 5, 1, 5]).alternating, true);
      const r = report(rep('ac', 10));
      assert.equal(r.alternating, true);
      assert.equal(r.period, 2);
    });
    it('does not flag: mostly one value, or two values in blocks', () => {
      assert.equal(report([4, 4, 5, 4, 4, 4, 5, 4, 4, 4, 4, 4]).alternating, false);
      assert.equal(report([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]).alternating, false);
    });
  });

  it('empty and one-item sequences show no pattern', () => {
    assert.equal(report([]).items, 0);
    const one = report([3]);
    assert.equal(one.allSame, false);
    assert.equal(one.sequential, false);
  });

  it('pattern bits round-trip the report flags', () => {
    const r = report(Array(12).fill(2));
    assert.equal(patternBits(r) & PATTERN_BITS.allSame, PATTERN_BITS.allSame);
    const near = report([2, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 2]);
    assert.equal(patternBits(near), PATTERN_BITS.nearAllSame);
  });

  it('a long random-looking sequence is handled in linear-ish time', () => {
    const seq = Array.from({ length: 5000 }, (_, i) => String((i * 7919) % 5));
    const started = process.hrtime.bigint();
    answerPatterns(seq, seq.map(Number), 0.9);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 500, `took ${ms} ms`);
  });
});
