import { assert } from '../helpers/counted-assert';
import {
  MAD_TO_SD,
  modifiedZ,
  normalCdf,
  normalQuantile,
  quantileSorted,
  robustSummary,
  shareAboveSorted,
  shareBelowSorted,
  smallestStep,
  sortedFinite,
  valueAtZ,
  zCutFor,
} from '../../lib/detection/assessment-stats';

describe('detection/assessment-stats', () => {
  it('quantiles interpolate between order statistics (type 7)', () => {
    const s = [1, 2, 3, 4];
    assert.equal(quantileSorted(s, 0.5), 2.5);
    assert.equal(quantileSorted(s, 0), 1);
    assert.equal(quantileSorted(s, 1), 4);
    assert.ok(Number.isNaN(quantileSorted([], 0.5)));
  });

  it('sortedFinite drops NaN and infinities', () => {
    assert.deepEqual(sortedFinite([3, Number.NaN, 1, Infinity, -Infinity, 2]), [1, 2, 3]);
  });

  it('robust summary: median, one-sided MADs and the shares strictly below/above the median', () => {
    const r = robustSummary([1, 2, 3, 4, 100]);
    assert.ok(r);
    assert.equal(r.median, 3);
    assert.equal(r.madLow, 1); // |1-3|, |2-3|, 0 -> median 1
    assert.equal(r.madHigh, 1); // 0, 1, 97 -> median 1: the outlier does not move it
    assert.equal(r.below, 0.4);
    assert.equal(r.above, 0.4);
    const ties = robustSummary([1, 2, 2, 2, 3]);
    assert.ok(ties);
    assert.equal(ties.below, 0.2);
    assert.equal(robustSummary([]), undefined);
  });

  it('modified z uses the MAD of the side the value is on, floored', () => {
    const s = { n: 5, median: 10, madLow: 1, madHigh: 4, below: 0.4, above: 0.4 };
    assert.ok(Math.abs(modifiedZ(8, s, 0) - -2 / MAD_TO_SD) < 1e-12);
    assert.ok(Math.abs(modifiedZ(18, s, 0) - 8 / (4 * MAD_TO_SD)) < 1e-12);
    assert.ok(Math.abs(modifiedZ(8, s, 2) - -2 / (2 * MAD_TO_SD)) < 1e-12);
    assert.equal(modifiedZ(10, { ...s, madLow: 0, madHigh: 0 }, 0), 0);
    assert.equal(modifiedZ(9, { ...s, madLow: 0 }, 0), -Infinity);
    assert.ok(Math.abs(valueAtZ(-3.5, s, 0) - (10 - 3.5 * MAD_TO_SD)) < 1e-12);
  });

  it('shares below/above a value in a sorted array', () => {
    const s = [1, 2, 2, 3];
    assert.equal(shareBelowSorted(s, 2), 0.25);
    assert.equal(shareAboveSorted(s, 2), 0.25);
    assert.equal(shareBelowSorted(s, 10), 1);
  });

  it('smallest step between distinct values ignores rounding noise', () => {
    assert.equal(smallestStep([0, 25, 50, 50, 100]), 25);
    const pct = [0, 100 / 12, 200 / 12, 300 / 12].map((x) => Math.round(x * 100) / 100);
    assert.ok(Math.abs((smallestStep(pct) as number) - 8.33) < 0.011);
    assert.equal(smallestStep([5, 5, 5]), undefined);
  });

  it('normal CDF and quantile are inverse and match known values', () => {
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(normalCdf(-2) - 0.02275) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    for (const p of [0.001, 0.02, 0.3, 0.5, 0.9, 0.999]) assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-6);
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
  });

  it('small baselines get a wider z cut: z + 3/sqrt(n)', () => {
    assert.equal(zCutFor(3.5, 9), 4.5);
    assert.ok(zCutFor(3.5, 30) > zCutFor(3.5, 3000));
    assert.ok(zCutFor(3.5, 1e6) - 3.5 < 0.01);
  });
});
