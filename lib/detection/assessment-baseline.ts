/**
 * Baseline math for the assessment anomaly detector: what one stored sample holds, how the
 * live baseline of a type is computed from its samples, how far it has drifted from the frozen
 * reference, and when the reference is frozen or replaced. Pure: samples in, plain JSON out.
 *
 * Poisoning resistance, in layers:
 * 1. only accepted submissions feed the time and score figures (flagged ones never do);
 * 2. one sample per user per type (the newest), so volume needs accounts;
 * 3. robust figures (median, one-sided MAD): 30% of crafted samples move a median by about
 *    half a standard deviation, not arbitrarily far;
 * 4. a frozen reference baseline: every check is run against the live baseline AND the
 *    reference and fires if either says so, so samples added after the freeze cannot make a
 *    check more lenient than the reference;
 * 5. a drift signal: the reference is only replaced by the live baseline when the live one has
 *    not moved toward the attacker's side (more samples faster than the reference median, more
 *    in its fast tail, more high scores, more of a pattern); a drifted reference is kept until
 *    `referenceMaxAgeDays`.
 */
import type { AssessmentAnomalyConfig } from './assessment-config';
import { PATTERN_BITS } from './assessment-patterns';
import {
  type RobustSummary,
  quantileSorted,
  robustSummarySorted,
  shareAboveSorted,
  shareBelowSorted,
  smallestStep,
  sortedFinite,
  valueAtZ,
} from './assessment-stats';

/** Milliseconds per day. */
export const DAY_MS = 86_400_000;

/** Item times are only read from this many of the newest accepted samples (bounded work). */
export const ITEM_BASELINE_SAMPLES = 500;

/**
 * One submission as remembered by the baseline. Plain JSON; a store keeps at most one per
 * (type, user): the newest.
 */
export interface BaselineSample {
  /** The user (the store's one-sample-per-user key). */
  readonly user: string;
  /** When it was submitted, in ms since the epoch. */
  readonly atMs: number;
  /**
   * True when no check fired: the sample feeds every figure. False when only pattern checks
   * fired: it counts toward pattern prevalence ("how common is this pattern here") only.
   */
  readonly accepted: boolean;
  /** ln(completion seconds / answered items). */
  readonly lnTimePerItem?: number;
  readonly score?: number;
  /** Number of choice answers (the pattern checks' form length). */
  readonly choiceItems: number;
  /** Pattern indicators as bits (PATTERN_BITS): present 1/2/4, one deviation off 8/16/32, two off 64/128/256. */
  readonly patterns: number;
  /**
   * Seconds per item key, as submitted: items with a time > 0, at most `maxTrackedItems` of
   * them (often the submission's own object, kept with no per-item work). Read as ln(seconds)
   * rounded to 3 decimals.
   */
  readonly itemSec?: Readonly<Record<string, number>>;
  /** The form of samples written by earlier versions: ln(seconds) per item key, rounded to 3 decimals. Still read. */
  readonly itemLnTimes?: Readonly<Record<string, number>>;
}

const lnRounded = (sec: number): number => Math.round(Math.log(sec) * 1000) / 1000;

/** Item times of an `itemSec` sample as rounded ln(seconds) (NaN where not > 0), per sample object. */
const itemLnCache = new WeakMap<object, ReadonlyArray<readonly [string, number]>>();

function itemLnEntries(s: BaselineSample): ReadonlyArray<readonly [string, number]> {
  if (s.itemLnTimes !== undefined && s.itemLnTimes !== null) return Object.entries(s.itemLnTimes);
  const sec = s.itemSec as Readonly<Record<string, number>>;
  // A store that hands out the same sample objects (the memory store) pays for the logs once.
  let entries = itemLnCache.get(sec);
  if (!entries) {
    entries = Object.entries(sec).map(([key, v]) => [key, typeof v === 'number' && v > 0 ? lnRounded(v) : Number.NaN] as const);
    itemLnCache.set(sec, entries);
  }
  return entries;
}

/** Robust figures of the score distribution. */
export interface ScoreFigures extends RobustSummary {
  /** Smallest gap between distinct scores (1 for integer scores). */
  readonly step: number;
  readonly q05: number;
  readonly q95: number;
}

/** A tail cut of a distribution and the share of samples beyond it. */
export interface TailFigures {
  readonly cut: number;
  readonly share: number;
}

/** One nested group of top scorers: everybody at or above a score. */
export interface TopScorerLevel {
  /** Lowest score in the group. */
  readonly scoreCut: number;
  /** Share of accepted scored samples at or above the cut. */
  readonly share: number;
  /** ln time per item of the group. */
  readonly time: RobustSummary;
}

/**
 * Figures of the top scorers, for the joint "high score in short time" rule: nested groups
 * (everyone at or above a score), from the widest (about `jointTopShare` of the submissions)
 * to the narrowest that still has `minBaselineSamples` members. A top-scoring submission is
 * compared with the narrowest group whose cut it reaches: people who scored as high as it did.
 */
export interface TopScorerFigures {
  /**
   * Lowest score of the widest group: the lowest score reached by at most `jointTopShare` of
   * the accepted samples, or the highest score when more than that share reached it (a ceiling).
   */
  readonly scoreCut: number;
  /** Share of accepted scored samples at or above `scoreCut`. */
  readonly groupShare: number;
  /** Median score of all accepted samples (the rule only applies when scoreCut is above it). */
  readonly scoreMedian: number;
  /** ln time per item of the widest group. */
  readonly time: RobustSummary;
  /** The fast tail of the widest group's times (see `BaselineStats.timeTail`). */
  readonly timeTail?: TailFigures;
  /** Nested groups, widest first (the first is the widest group itself); at most 8. */
  readonly levels: readonly TopScorerLevel[];
}

/** How often each pattern, and each near pattern, occurs among recorded samples long enough to be checked. */
export interface PatternFigures {
  /** Recorded samples with at least `patternMinItems` choice items. */
  readonly n: number;
  readonly allSame: number;
  readonly sequential: number;
  readonly alternating: number;
  /** Samples exactly one deviation beyond each pattern (see assessment-patterns.ts). */
  readonly near: { readonly allSame: number; readonly sequential: number; readonly alternating: number };
  /** Samples exactly two deviations beyond each pattern. */
  readonly near2: { readonly allSame: number; readonly sequential: number; readonly alternating: number };
}

/** The three patterns, as keys of {@link PatternFigures}. */
export type PatternKey = 'allSame' | 'sequential' | 'alternating';

/**
 * How many one-slip patterns vouch for one exact pattern. Where honest people produce an exact
 * pattern they also produce it with a slip: if each answer slips with probability e,
 * P(1 slip) / P(exact) = J e / (1 - e), which is >= 1/3 once J e >= 0.25.
 */
export const NEAR_PATTERN_FACTOR = 3;

/**
 * Estimated honest prevalence of a pattern, from the share of submissions with exactly 0 (P0),
 * 1 (P1) and 2 (P2) deviations beyond what the pattern allows:
 *
 *     min(P0, 3 P1, P1^2 / P2)
 *
 * Honest answering gives a smooth, log-concave-like curve over deviations (a binomial slip
 * model gives P0 ~ 0.5 P1^2 / P2), so where a pattern is honestly common the near bands are
 * common too and the estimate stays high. Crafted submissions add a spike at P0 only, which
 * the near bands do not follow, so a flood of them cannot make the pattern look honestly
 * common. Near fits that happen by chance (a random quiz answer sheet that almost fits a
 * 3-cycle) grow fast with the number of deviations (P2 >> P1), which the P1^2 / P2 term
 * discounts.
 */
export function honestPrevalence(fig: PatternFigures, key: PatternKey): number {
  if (fig.n <= 0) return 0;
  const p0 = fig[key];
  const p1 = fig.near[key];
  const p2 = fig.near2[key];
  let est = Math.min(p0, NEAR_PATTERN_FACTOR * p1);
  if (p2 > 0) est = Math.min(est, (p1 * p1) / p2);
  return est / fig.n;
}

/** The figures of one baseline (live or reference). Plain JSON. */
export interface BaselineStats {
  /** When they were computed (ms). */
  readonly computedAtMs: number;
  /** Oldest sample time they include (ms). */
  readonly windowStartMs: number;
  /** Accepted samples (distinct users). */
  readonly n: number;
  /** ln time per item of accepted samples. */
  readonly time?: RobustSummary;
  /**
   * The fast tail of `time`: the cut median - 2 x 1.4826 x MADlow and the share of samples below
   * it. Poison aimed just above the flagging threshold piles up there long before it moves the
   * median, so the drift signal compares live shares below this cut with this share.
   */
  readonly timeTail?: TailFigures;
  /** Scores of accepted samples that had one. */
  readonly score?: ScoreFigures;
  readonly top?: TopScorerFigures;
  /** Pattern counts over recorded samples (accepted, or flagged by pattern checks only). */
  readonly patterns: PatternFigures;
  /** Median ln seconds by item key (items seen in at least `minBaselineSamples` samples). */
  readonly items: Readonly<Record<string, { readonly n: number; readonly median: number }>>;
}

/** A frozen reference baseline. */
export interface BaselineReference {
  /** When it was frozen (ms); also the compare-and-set token of `BaselineStore.putReference`. */
  readonly frozenAtMs: number;
  readonly stats: BaselineStats;
}

/** Drift of the live baseline away from the reference, toward what an attacker would want. */
export interface DriftReport {
  readonly drifting: boolean;
  /**
   * Excess shares (0 = no drift): live samples faster than the reference median time, scoring
   * above the reference median score, top scorers faster than the reference top scorers, minus
   * the matching share on the other side; and the rise in each pattern's estimated honest
   * prevalence.
   */
  readonly measures: {
    readonly faster?: number;
    /** Rise of the share of live times below the reference's fast-tail cut. */
    readonly fastTail?: number;
    readonly higherScore?: number;
    readonly fasterTopScorers?: number;
    readonly fastTailTopScorers?: number;
    readonly allSame?: number;
    readonly sequential?: number;
    readonly alternating?: number;
  };
  /** The measures that passed their limit. */
  readonly reasons: readonly string[];
}

/** What the detector reads for one type: the live figures, and the reference when there is one. */
export interface BaselineSnapshot {
  readonly type: string;
  readonly live: BaselineStats;
  readonly reference?: BaselineReference;
  readonly drift?: DriftReport;
}

/** Floor on the MAD of ln times (about 5%), so identical times cannot make every difference infinite. */
export const LN_TIME_MAD_FLOOR = 0.05;

/** Figures with no samples. */
export function emptyStats(nowMs: number, windowStartMs: number): BaselineStats {
  return {
    computedAtMs: nowMs,
    windowStartMs,
    n: 0,
    patterns: { n: 0, allSame: 0, sequential: 0, alternating: 0, near: { allSame: 0, sequential: 0, alternating: 0 }, near2: { allSame: 0, sequential: 0, alternating: 0 } },
    items: {},
  };
}

/** One sample per user (the newest) inside [windowStartMs, nowMs], whatever the store returned. */
export function windowSamples(samples: readonly BaselineSample[], windowStartMs: number, nowMs: number): BaselineSample[] {
  const byUser = new Map<string, BaselineSample>();
  for (const s of samples) {
    if (!s || typeof s.user !== 'string' || !Number.isFinite(s.atMs)) continue;
    if (s.atMs < windowStartMs || s.atMs > nowMs) continue;
    const prev = byUser.get(s.user);
    if (!prev || prev.atMs <= s.atMs) byUser.set(s.user, s);
  }
  return [...byUser.values()];
}

function itemFigures(accepted: readonly BaselineSample[], config: AssessmentAnomalyConfig): Record<string, { n: number; median: number }> {
  const recent = accepted.filter((s) => (s.itemLnTimes !== undefined && s.itemLnTimes !== null) || (s.itemSec !== undefined && s.itemSec !== null));
  recent.sort((a, b) => b.atMs - a.atMs);
  const use = recent.slice(0, ITEM_BASELINE_SAMPLES);
  const byKey = new Map<string, number[]>();
  for (const s of use) {
    for (const [key, v] of itemLnEntries(s)) {
      if (!Number.isFinite(v)) continue;
      let arr = byKey.get(key);
      if (!arr) {
        // Bounded: a type never tracks more than maxTrackedItems keys (the first ones seen in
        // the newest samples), however many distinct keys crafted submissions carry.
        if (byKey.size >= config.maxTrackedItems) continue;
        arr = [];
        byKey.set(key, arr);
      }
      arr.push(v);
    }
  }
  const out: Record<string, { n: number; median: number }> = {};
  for (const [key, arr] of byKey) {
    if (arr.length < config.minBaselineSamples) continue;
    arr.sort((a, b) => a - b);
    out[key] = { n: arr.length, median: quantileSorted(arr, 0.5) };
  }
  return out;
}

/** Live figures of a type from its samples (any order, duplicates and stale ones tolerated). */
export function computeStats(samples: readonly BaselineSample[], nowMs: number, config: AssessmentAnomalyConfig): BaselineStats {
  const windowStartMs = nowMs - config.baselineWindowDays * DAY_MS;
  const inWindow = windowSamples(samples, windowStartMs, nowMs);
  const accepted = inWindow.filter((s) => s.accepted === true);
  const times = sortedFinite(accepted.map((s) => s.lnTimePerItem as number));
  const time = robustSummarySorted(times);
  const timeTail = time ? lowTail(times, time) : undefined;

  const scored = accepted.filter((s) => typeof s.score === 'number' && Number.isFinite(s.score));
  const scores = sortedFinite(scored.map((s) => s.score as number));
  let score: ScoreFigures | undefined;
  let top: TopScorerFigures | undefined;
  const summary = robustSummarySorted(scores);
  if (summary) {
    score = {
      ...summary,
      step: smallestStep(scores) ?? 1,
      q05: quantileSorted(scores, 0.05),
      q95: quantileSorted(scores, 0.95),
    };
    if (scores.length >= config.minBaselineSamples) top = topScorers(scored, scores, summary.median, config);
  }

  const patterns = {
    n: 0,
    allSame: 0,
    sequential: 0,
    alternating: 0,
    near: { allSame: 0, sequential: 0, alternating: 0 },
    near2: { allSame: 0, sequential: 0, alternating: 0 },
  };
  for (const s of inWindow) {
    if (!(s.choiceItems >= config.patternMinItems)) continue;
    const bits = s.patterns;
    patterns.n += 1;
    if (bits & PATTERN_BITS.allSame) patterns.allSame += 1;
    if (bits & PATTERN_BITS.sequential) patterns.sequential += 1;
    if (bits & PATTERN_BITS.alternating) patterns.alternating += 1;
    if (bits & PATTERN_BITS.nearAllSame) patterns.near.allSame += 1;
    if (bits & PATTERN_BITS.nearSequential) patterns.near.sequential += 1;
    if (bits & PATTERN_BITS.nearAlternating) patterns.near.alternating += 1;
    if (bits & PATTERN_BITS.near2AllSame) patterns.near2.allSame += 1;
    if (bits & PATTERN_BITS.near2Sequential) patterns.near2.sequential += 1;
    if (bits & PATTERN_BITS.near2Alternating) patterns.near2.alternating += 1;
  }

  return {
    computedAtMs: nowMs,
    windowStartMs,
    n: accepted.length,
    ...(time ? { time } : {}),
    ...(timeTail ? { timeTail } : {}),
    ...(score ? { score } : {}),
    ...(top ? { top } : {}),
    patterns,
    items: itemFigures(accepted, config),
  };
}

/**
 * The top-scorer cut of sorted scores: the lowest score that at most `topShare` of them reach,
 * or the highest score when more than `topShare` reach it. Returns the cut and the share at or
 * above it.
 */
export function topCut(sorted: readonly number[], topShare: number): { cut: number; share: number } {
  const n = sorted.length;
  let i = n - 1;
  // Walk down distinct values while the share at or above stays within topShare.
  let cut = sorted[n - 1];
  let start = n - 1;
  while (start > 0 && sorted[start - 1] === cut) start -= 1;
  for (;;) {
    i = start - 1;
    if (i < 0) break;
    const next = sorted[i];
    let s = i;
    while (s > 0 && sorted[s - 1] === next) s -= 1;
    if ((n - s) / n > topShare) break;
    cut = next;
    start = s;
  }
  return { cut, share: (n - start) / n };
}

/** Robust SDs below the median where the fast-tail cut sits. */
const TAIL_Z = 2;

/** The fast tail of sorted values: the cut median - 2 x 1.4826 x MADlow and the share below it. */
function lowTail(sorted: readonly number[], summary: RobustSummary): TailFigures | undefined {
  if (sorted.length === 0) return undefined;
  const cut = valueAtZ(-TAIL_Z, summary, LN_TIME_MAD_FLOOR);
  return { cut, share: shareBelowSorted(sorted, cut) };
}

/** Most nested top-scorer groups kept in a snapshot. */
const MAX_TOP_LEVELS = 8;

function topScorers(scored: readonly BaselineSample[], sortedScores: readonly number[], scoreMedian: number, config: AssessmentAnomalyConfig): TopScorerFigures | undefined {
  const n = sortedScores.length;
  const levels: TopScorerLevel[] = [];
  let lastCut: number | undefined;
  for (let k = MAX_TOP_LEVELS; k >= 1; k--) {
    const { cut, share } = topCut(sortedScores, (config.jointTopShare * k) / MAX_TOP_LEVELS);
    if (cut === lastCut || share * n < config.minBaselineSamples) continue;
    const times = sortedFinite(scored.filter((s) => (s.score as number) >= cut).map((s) => s.lnTimePerItem as number));
    const time = robustSummarySorted(times);
    if (!time || time.n < config.minBaselineSamples) continue;
    levels.push({ scoreCut: cut, share, time });
    lastCut = cut;
  }
  if (levels.length === 0) return undefined;
  const widest = levels[0];
  const widestTimes = sortedFinite(scored.filter((s) => (s.score as number) >= widest.scoreCut).map((s) => s.lnTimePerItem as number));
  const timeTail = lowTail(widestTimes, widest.time);
  return { scoreCut: widest.scoreCut, groupShare: widest.share, scoreMedian, time: widest.time, ...(timeTail ? { timeTail } : {}), levels };
}

/**
 * How much more of the live values lie above the reference median than the reference itself
 * had there: ((live above - live below) - (ref above - ref below)) / 2, shares strictly above
 * and below the reference median. 0 when nothing moved, ties included (discrete scores); p/2
 * when a share p of the live values was added above the median.
 */
function excessAbove(sorted: readonly number[], ref: RobustSummary): number {
  if (sorted.length === 0) return 0;
  const refBalance = Number.isFinite(ref.above) && Number.isFinite(ref.below) ? ref.above - ref.below : 0;
  return (shareAboveSorted(sorted, ref.median) - shareBelowSorted(sorted, ref.median) - refBalance) / 2;
}

/**
 * How far the live samples moved from the reference toward an attacker's side. A measure
 * counts as drift when it passes max(driftMinShift, 3 standard errors) (for the excess shares
 * the standard error is 0.5 / sqrt(n); for a prevalence, sqrt(p(1-p)/n) with the threshold
 * prevalence as the floor of p).
 */
export function computeDrift(
  samples: readonly BaselineSample[],
  live: BaselineStats,
  reference: BaselineReference,
  nowMs: number,
  config: AssessmentAnomalyConfig,
): DriftReport {
  const ref = reference.stats;
  const inWindow = windowSamples(samples, live.windowStartMs, nowMs);
  const accepted = inWindow.filter((s) => s.accepted === true);
  const measures: Record<string, number> = {};
  const reasons: string[] = [];
  const limitFor = (n: number): number => Math.max(config.driftMinShift, 1.5 / Math.sqrt(Math.max(n, 1)));

  const times = sortedFinite(accepted.map((s) => s.lnTimePerItem as number));
  if (ref.time && times.length >= config.minBaselineSamples) {
    const v = -excessAbove(times, ref.time);
    measures.faster = round4(v);
    if (v > limitFor(times.length)) reasons.push('faster');
  }
  if (ref.timeTail && times.length >= config.minBaselineSamples) {
    const v = tailExcess(times, ref.timeTail, ref.n);
    measures.fastTail = round4(v.excess);
    if (v.excess > v.limit) reasons.push('fastTail');
  }
  const scored = accepted.filter((s) => typeof s.score === 'number' && Number.isFinite(s.score));
  const scores = sortedFinite(scored.map((s) => s.score as number));
  if (ref.score && scores.length >= config.minBaselineSamples) {
    const v = excessAbove(scores, ref.score);
    measures.higherScore = round4(v);
    if (v > limitFor(scores.length)) reasons.push('higherScore');
  }
  if (ref.top) {
    const cut = ref.top.scoreCut;
    const groupTimes = sortedFinite(scored.filter((s) => (s.score as number) >= cut).map((s) => s.lnTimePerItem as number));
    if (groupTimes.length >= config.minBaselineSamples) {
      const v = -excessAbove(groupTimes, ref.top.time);
      measures.fasterTopScorers = round4(v);
      if (v > limitFor(groupTimes.length)) reasons.push('fasterTopScorers');
      if (ref.top.timeTail) {
        const t = tailExcess(groupTimes, ref.top.timeTail, ref.top.time.n);
        measures.fastTailTopScorers = round4(t.excess);
        if (t.excess > t.limit) reasons.push('fastTailTopScorers');
      }
    }
  }
  if (ref.patterns.n >= config.minBaselineSamples && live.patterns.n >= config.minBaselineSamples) {
    for (const key of ['allSame', 'sequential', 'alternating'] as const) {
      const pRef = honestPrevalence(ref.patterns, key);
      const pLive = honestPrevalence(live.patterns, key);
      const v = pLive - pRef;
      measures[key] = round4(v);
      const p = Math.max(pRef, config.patternMaxPrevalence);
      const limit = Math.max(config.patternMaxPrevalence, 3 * Math.sqrt((p * (1 - p)) / live.patterns.n));
      // Only a rise that would close the prevalence gate is a concern.
      if (v > limit && pLive >= config.patternMaxPrevalence) reasons.push(key);
    }
  }
  return { drifting: reasons.length > 0, measures, reasons };
}

/**
 * How much more of the live values lie below the reference's fast-tail cut than the reference
 * had there, and the limit: max(driftMinShift / 2, 3 standard errors of the difference of two
 * shares, with the reference's sample size).
 */
function tailExcess(sorted: readonly number[], tail: TailFigures, refN: number): { excess: number; limit: number } {
  const live = shareBelowSorted(sorted, tail.cut);
  const p = Math.min(Math.max(tail.share, 0.01), 0.5);
  const se = Math.sqrt(p * (1 - p) * (1 / sorted.length + 1 / Math.max(refN, 1)));
  return { excess: live - tail.share, limit: Math.max(TAIL_MIN_SHIFT, 3 * se) };
}

/** Smallest rise of the fast-tail share that counts as drift. */
const TAIL_MIN_SHIFT = 0.02;

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/** What to do with the reference after a refresh. */
export type ReferencePlan =
  | { readonly action: 'none' }
  | { readonly action: 'keep'; readonly reason: 'fresh' | 'drift' }
  | { readonly action: 'freeze' | 'promote' | 'expire'; readonly next: BaselineReference };

/**
 * Decides whether to freeze a first reference, replace it with the live baseline, or keep it:
 * - no reference yet: freeze once the live baseline has `referenceMinSamples` accepted samples;
 * - built from fewer than half the live baseline's samples (an early, noisy reference): replace
 *   it now if the live baseline has not drifted;
 * - younger than `referenceRefreshDays`: keep;
 * - older, and the live baseline has not drifted: promote the live baseline;
 * - older and drifted: keep, until `referenceMaxAgeDays`, then replace anyway (a lasting
 *   change in the honest population must not be refused for ever).
 */
export function planReference(
  live: BaselineStats,
  current: BaselineReference | undefined,
  drift: DriftReport | undefined,
  nowMs: number,
  config: AssessmentAnomalyConfig,
): ReferencePlan {
  if (!config.poisoningGuard) return { action: 'none' };
  if (!current) {
    return live.n >= config.referenceMinSamples ? { action: 'freeze', next: { frozenAtMs: nowMs, stats: live } } : { action: 'none' };
  }
  const age = nowMs - current.frozenAtMs;
  const small = current.stats.n < live.n / 2;
  if (age < config.referenceRefreshDays * DAY_MS && !small) return { action: 'keep', reason: 'fresh' };
  if (live.n < config.referenceMinSamples) return { action: 'keep', reason: 'fresh' };
  if (drift && drift.drifting) {
    if (age >= config.referenceMaxAgeDays * DAY_MS) return { action: 'expire', next: { frozenAtMs: nowMs, stats: live } };
    return { action: 'keep', reason: 'drift' };
  }
  return { action: 'promote', next: { frozenAtMs: nowMs, stats: live } };
}
