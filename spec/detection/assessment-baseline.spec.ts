import { assert } from '../helpers/counted-assert';
import {
  type BaselineSample,
  type PatternFigures,
  computeDrift,
  computeStats,
  honestPrevalence,
  planReference,
  topCut,
  windowSamples,
} from '../../lib/detection/assessment-baseline';
import { PATTERN_BITS } from '../../lib/detection/assessment-patterns';
import { DAY_MS, T0, config, samples } from '../helpers/assessment-fixtures';

const cfg = config();

function fig(n: number, p0: number, p1: number, p2: number): PatternFigures {
  return { n, allSame: p0, sequential: 0, alternating: 0, near: { allSame: p1, sequential: 0, alternating: 0 }, near2: { allSame: p2, sequential: 0, alternating: 0 } };
}

describe('detection/assessment-baseline', () => {
  describe('window and one sample per user', () => {
    it('keeps the newest sample of each user inside the window', () => {
      const list: BaselineSample[] = [
        { user: 'a', atMs: T0, accepted: true, choiceItems: 12, patterns: 0, lnTimePerItem: 1 },
        { user: 'a', atMs: T0 + 1000, accepted: true, choiceItems: 12, patterns: 0, lnTimePerItem: 2 },
        { user: 'b', atMs: T0 - 10 * DAY_MS, accepted: true, choiceItems: 12, patterns: 0, lnTimePerItem: 3 },
      ];
      const w = windowSamples(list, T0 - 7 * DAY_MS, T0 + DAY_MS);
      assert.equal(w.length, 1);
      assert.equal(w[0].lnTimePerItem, 2);
    });

    it('ignores malformed samples a store might return', () => {
      const w = windowSamples([null as never, { user: 5 } as never, { user: 'x', atMs: Number.NaN } as never], 0, Infinity);
      assert.deepEqual(w, []);
    });
  });

  describe('figures', () => {
    it('item times kept as seconds (itemSec) give the same item figures as rounded ln(seconds) (itemLnTimes)', () => {
      const asLn = samples({ n: 60, itemSec: 8, items: 6 }).map((x) => ({ ...x, itemLnTimes: Object.fromEntries(Object.entries(x.itemLnTimes ?? {}).map(([k, v]) => [k, Math.round(v * 1000) / 1000])) }));
      const asSec: BaselineSample[] = asLn.map(({ itemLnTimes, ...rest }) => ({ ...rest, itemSec: Object.fromEntries(Object.entries(itemLnTimes).map(([k, v]) => [k, Math.exp(v)])) }));
      const a = computeStats(asLn, T0 + DAY_MS, cfg);
      const b = computeStats(asSec, T0 + DAY_MS, cfg);
      assert.equal(Object.keys(a.items).length, 6);
      assert.deepEqual(b.items, a.items);
      // A time <= 0 in a stored itemSec is not a time: left out, never NaN in a median.
      const zero = computeStats(asSec.map((x) => ({ ...x, itemSec: { ...x.itemSec, q1: 0 } })), T0 + DAY_MS, cfg);
      assert.equal(zero.items.q1, undefined);
      assert.deepEqual(zero.items.q2, a.items.q2);
    });

    it('time and score figures use accepted samples only; patterns count every recorded one', () => {
      const list = samples({ n: 100, medianSecPerItem: 10, scoreMean: 60 });
      const flaggedLike: BaselineSample = { user: 'p', atMs: T0 + 1, accepted: false, lnTimePerItem: -5, score: 1000, choiceItems: 12, patterns: PATTERN_BITS.allSame };
      const s = computeStats([...list, flaggedLike], T0 + DAY_MS, cfg);
      assert.equal(s.n, 100);
      assert.ok(Math.abs(Math.exp((s.time as { median: number }).median) - 10) < 1.5);
      assert.ok((s.score as { median: number }).median < 70);
      assert.equal(s.patterns.n, 101);
      assert.equal(s.patterns.allSame, 1);
    });

    it('samples older than the window do not count', () => {
      const old = samples({ n: 50, startMs: T0 - 20 * DAY_MS });
      const s = computeStats(old, T0, cfg);
      assert.equal(s.n, 0);
      assert.equal(s.time, undefined);
    });

    it('per-item medians need minBaselineSamples samples and are capped at maxTrackedItems keys', () => {
      const s = computeStats(samples({ n: 40, itemSec: 20, items: 12 }), T0 + DAY_MS, config({ maxTrackedItems: 5 }));
      assert.equal(Object.keys(s.items).length, 5);
      assert.ok(Math.abs(Math.exp(s.items.q1.median) - 20) < 5);
      const few = computeStats(samples({ n: 10, itemSec: 20 }), T0 + DAY_MS, cfg);
      assert.deepEqual(few.items, {});
    });

    it('top scorers: nested groups from about jointTopShare down to the narrowest with enough members', () => {
      const s = computeStats(samples({ n: 2000, scoreMean: 60, scoreSd: 12 }), T0 + 3 * DAY_MS, cfg);
      assert.ok(s.top);
      assert.ok(s.top.groupShare <= 0.1 + 1e-9);
      assert.ok(s.top.levels.length >= 2);
      for (let i = 1; i < s.top.levels.length; i++) assert.ok(s.top.levels[i].scoreCut > s.top.levels[i - 1].scoreCut);
      assert.ok(s.top.levels.every((l) => l.time.n >= cfg.minBaselineSamples));
    });

    it('top cut: the lowest score reached by at most the share, or the ceiling when more reach it', () => {
      assert.deepEqual(topCut([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.2), { cut: 9, share: 0.2 });
      assert.deepEqual(topCut([1, 2, 3, 10, 10, 10, 10], 0.1), { cut: 10, share: 4 / 7 });
    });
  });

  describe('honest prevalence of a pattern', () => {
    it('a common honest pattern (smooth near bands) stays common', () => {
      assert.ok(honestPrevalence(fig(1000, 80, 60, 20), 'allSame') >= 0.05);
    });
    it('a flood of exact patterns with no near patterns is not taken as honest', () => {
      assert.equal(honestPrevalence(fig(1000, 30, 0, 0), 'allSame'), 0);
      assert.ok(honestPrevalence(fig(1000, 30, 1, 0), 'allSame') <= 0.003);
    });
    it('near fits that happen by chance (P2 >> P1) are discounted', () => {
      assert.ok(honestPrevalence(fig(1000, 10, 5, 40), 'allSame') < 0.001);
    });
  });

  describe('drift', () => {
    const honest = samples({ n: 600, medianSecPerItem: 10, sdLn: 0.3, scoreMean: 60, seed: 1 });
    const ref = { frozenAtMs: T0, stats: computeStats(honest, T0 + DAY_MS, cfg) };

    it('an honest refresh does not drift, ties in discrete scores included', () => {
      const again = samples({ n: 600, medianSecPerItem: 10, sdLn: 0.3, scoreMean: 60, seed: 2, startMs: T0 + DAY_MS });
      const live = computeStats(again, T0 + 2 * DAY_MS, cfg);
      const d = computeDrift(again, live, ref, T0 + 2 * DAY_MS, cfg);
      assert.equal(d.drifting, false, JSON.stringify(d));
    });

    it('a few percent of crafted samples just above the threshold is a drift of the fast tail, before the median moves', () => {
      const base = samples({ n: 1600, medianSecPerItem: 10, sdLn: 0.3, scoreMean: 60, seed: 5, startMs: T0 + DAY_MS, stepMs: 30_000 });
      // 6% of the window at exp(-3) x the median: far in the fast tail, barely moving the median.
      const poison = samples({ n: 100, medianSecPerItem: 10 * Math.exp(-1), sdLn: 0.05, scoreMean: 60, userPrefix: 'p', seed: 6, startMs: T0 + DAY_MS });
      const mixed = [...base, ...poison];
      const live = computeStats(mixed, T0 + 2 * DAY_MS, cfg);
      const d = computeDrift(mixed, live, ref, T0 + 2 * DAY_MS, cfg);
      assert.ok(!d.reasons.includes('faster'), JSON.stringify(d));
      assert.ok(d.reasons.includes('fastTail'), JSON.stringify(d));
      const clean = computeDrift(base, computeStats(base, T0 + 2 * DAY_MS, cfg), ref, T0 + 2 * DAY_MS, cfg);
      assert.ok(!clean.reasons.includes('fastTail'), JSON.stringify(clean));
    });

    it('30% of fast crafted samples is a drift toward "faster"', () => {
      const poison = samples({ n: 260, medianSecPerItem: 3, sdLn: 0.1, scoreMean: 60, userPrefix: 'p', seed: 3, startMs: T0 + DAY_MS });
      const mixed = [...samples({ n: 600, medianSecPerItem: 10, sdLn: 0.3, scoreMean: 60, seed: 4, startMs: T0 + DAY_MS }), ...poison];
      const live = computeStats(mixed, T0 + 2 * DAY_MS, cfg);
      const d = computeDrift(mixed, live, ref, T0 + 2 * DAY_MS, cfg);
      assert.equal(d.drifting, true);
      assert.ok(d.reasons.includes('faster'));
      assert.ok((d.measures.faster as number) > 0.1);
    });
  });

  describe('reference plan', () => {
    const live = (n: number) => ({ ...computeStats(samples({ n }), T0 + DAY_MS, cfg), n });
    it('freezes once there are referenceMinSamples accepted samples', () => {
      assert.equal(planReference(live(199), undefined, undefined, T0, cfg).action, 'none');
      assert.equal(planReference(live(200), undefined, undefined, T0, cfg).action, 'freeze');
    });
    it('keeps a fresh reference, promotes an old one without drift, keeps it with drift until max age', () => {
      const cur = { frozenAtMs: T0, stats: live(1000) };
      const noDrift = { drifting: false, measures: {}, reasons: [] };
      const drift = { drifting: true, measures: { faster: 0.2 }, reasons: ['faster'] };
      assert.equal(planReference(live(1000), cur, noDrift, T0 + DAY_MS, cfg).action, 'keep');
      assert.equal(planReference(live(1000), cur, noDrift, T0 + 8 * DAY_MS, cfg).action, 'promote');
      assert.equal(planReference(live(1000), cur, drift, T0 + 8 * DAY_MS, cfg).action, 'keep');
      assert.equal(planReference(live(1000), cur, drift, T0 + 29 * DAY_MS, cfg).action, 'expire');
    });
    it('an early reference from fewer than half the live samples is replaced without waiting, unless drifting', () => {
      const cur = { frozenAtMs: T0, stats: live(200) };
      assert.equal(planReference(live(500), cur, { drifting: false, measures: {}, reasons: [] }, T0 + DAY_MS, cfg).action, 'promote');
      assert.equal(planReference(live(500), cur, { drifting: true, measures: {}, reasons: ['faster'] }, T0 + DAY_MS, cfg).action, 'keep');
    });
    it('no reference at all when the poisoning guard is off', () => {
      assert.equal(planReference(live(1000), undefined, undefined, T0, config({ poisoningGuard: false })).action, 'none');
    });
  });
});
