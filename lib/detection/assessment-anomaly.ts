/**
 * Assessment anomaly detector (seed 002's AnomalyDetector, reworked from the literature; see
 * docs/assessment-anomalies.md). Pure and synchronous: one submission and a baseline snapshot
 * in, an explained verdict out. The caller (lib/core/assessment-analyzer.ts) loads snapshots
 * and records accepted samples.
 *
 * Checks (anomaly `type`):
 * - `too_fast`: statistically unusual (robust z of ln time per item below -robustZ) AND
 *   practically fast (under the per-item floor, or under a share of the median); only the
 *   per-item floor during cold start.
 * - `rapid_guessing`: enough items answered faster than a share of that item's median time.
 * - `straight_lining`, `sequential_pattern`, `alternating_pattern`: gated by form length and
 *   by how common the pattern is among ordinary submissions of the type.
 * - `score_outlier`: robust z of the score beyond robustZ (high tail by default).
 * - `fast_high_score`: a top score in a time far below that of the honest top scorers.
 * - `injection`: a string in the answers that the text scanner calls an attack.
 * - `scan_incomplete`: more items or strings than the caps allowed to look at.
 * - `invalid_submission`: a field that cannot be right (negative or non-finite time, ...).
 *
 * Every baseline-relative check runs against the live baseline and, when there is one, the
 * frozen reference, and fires when either says so (see assessment-baseline.ts).
 */
import type { AssessmentAnomaly, AssessmentSubmission, AssessmentVerdict, Severity } from '../core/types';
import type { BaselineSnapshot, BaselineStats, BaselineSample } from './assessment-baseline';
import { LN_TIME_MAD_FLOOR, NEAR_PATTERN_FACTOR, honestPrevalence } from './assessment-baseline';
import type { AssessmentAnomalyConfig } from './assessment-config';
import { type SubmissionFeatures, extractFeatures } from './assessment-features';
import { type PatternReport, answerPatterns, patternBits } from './assessment-patterns';
import { modifiedZ, normalCdf, normalQuantile, valueAtZ, zCutFor } from './assessment-stats';
import type { TextScanner } from './assessment-text-scanner';

/** Stable anomaly type ids. */
export const ASSESSMENT_ANOMALY_TYPES = [
  'too_fast',
  'rapid_guessing',
  'straight_lining',
  'sequential_pattern',
  'alternating_pattern',
  'score_outlier',
  'fast_high_score',
  'injection',
  'scan_incomplete',
  'invalid_submission',
] as const;

/** One of {@link ASSESSMENT_ANOMALY_TYPES}. */
export type AssessmentAnomalyType = (typeof ASSESSMENT_ANOMALY_TYPES)[number];

/** Pattern checks: a submission flagged only by these still counts toward pattern prevalence. */
export const PATTERN_ANOMALY_TYPES: readonly AssessmentAnomalyType[] = ['straight_lining', 'sequential_pattern', 'alternating_pattern'];

/** What the detector learned about one submission, beyond the verdict. */
export interface AssessmentEvaluation {
  readonly verdict: AssessmentVerdict;
  readonly features: SubmissionFeatures;
  readonly patterns: PatternReport;
  /**
   * How the submission may feed the baseline: `accepted` (no anomaly: every figure),
   * `patterns-only` (only pattern checks fired: pattern prevalence only), `none`.
   */
  readonly recording: 'accepted' | 'patterns-only' | 'none';
}

/** A baseline source the checks are run against. */
interface Source {
  readonly name: 'live' | 'reference';
  readonly stats: BaselineStats;
}

function sourcesOf(snapshot: BaselineSnapshot | undefined, config: AssessmentAnomalyConfig): Source[] {
  if (!snapshot) return [];
  const out: Source[] = [{ name: 'live', stats: snapshot.live }];
  if (config.poisoningGuard && snapshot.reference) out.push({ name: 'reference', stats: snapshot.reference.stats });
  return out;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r2 = (v: number): number => Math.round(v * 100) / 100;
const r4 = (v: number): number => Math.round(v * 10000) / 10000;
/** JSON-safe number (infinities become null). */
const num = (v: number): number | null => (Number.isFinite(v) ? r3(v) : null);

function anomaly(type: AssessmentAnomalyType, severity: Severity, details: Record<string, unknown>): AssessmentAnomaly {
  return { type, severity, details };
}

// ---------------------------------------------------------------------------
// Speed
// ---------------------------------------------------------------------------

/** The too_fast cut against one warm source, for `items` answered items, with its parts. */
function tooFastCut(time: NonNullable<BaselineStats['time']>, items: number, config: AssessmentAnomalyConfig) {
  const zCut = zCutFor(config.robustZ, time.n);
  const zThrSec = Math.exp(valueAtZ(-zCut, time, LN_TIME_MAD_FLOOR)) * items;
  const medianSec = Math.exp(time.median) * items;
  const shareSec = config.completionTimeShare * medianSec;
  const floorSec = config.minSecondsPerItem * items;
  // Flagged below the robust cut AND below the floor or the share of the median.
  return { zCut, zThrSec, medianSec, shareSec, floorSec, cutSec: Math.min(zThrSec, Math.max(floorSec, shareSec)) };
}

function warmSources(sources: readonly Source[], config: AssessmentAnomalyConfig): Source[] {
  return sources.filter((s) => s.stats.time !== undefined && s.stats.n >= config.minBaselineSamples);
}

/**
 * The completion time below which a submission of `items` answered items is too fast against
 * `snapshot` (the highest cut of its warm sources; the cold-start floor without one).
 */
export function tooFastThresholdSec(snapshot: BaselineSnapshot | undefined, items: number, config: AssessmentAnomalyConfig): number {
  const warm = warmSources(sourcesOf(snapshot, config), config);
  if (warm.length === 0) return config.minSecondsPerItem * items;
  return Math.max(...warm.map((s) => tooFastCut(s.stats.time!, items, config).cutSec));
}

function checkTooFast(f: SubmissionFeatures, sources: readonly Source[], config: AssessmentAnomalyConfig): AssessmentAnomaly | undefined {
  const t = f.completionTimeSec;
  if (t === undefined) return undefined;
  const items = Math.max(f.answered, 1);
  const floorSec = config.minSecondsPerItem * items;
  const lnPerItem = t > 0 ? Math.log(t / items) : -Infinity;
  const warm = warmSources(sources, config);
  const rule =
    'cold start: t < minSecondsPerItem x items; warm: t < exp(median - (robustZ + 3/sqrt(n)) x 1.4826 x MADlow of ln(t/items)) x items AND (t < minSecondsPerItem x items OR t < completionTimeShare x median time)';
  if (warm.length === 0) {
    if (!(t < floorSec)) return undefined;
    return anomaly('too_fast', 'ERROR', {
      observed: { seconds: r2(t), secondsPerItem: r2(t / items), items },
      threshold: { seconds: r2(floorSec), minSecondsPerItem: config.minSecondsPerItem },
      baseline: { coldStart: true, n: sources.length > 0 ? sources[0].stats.n : 0, minBaselineSamples: config.minBaselineSamples },
      rule,
    });
  }
  for (const s of warm) {
    const time = s.stats.time!;
    const cut = tooFastCut(time, items, config);
    if (t < cut.cutSec) {
      const z = modifiedZ(lnPerItem, time, LN_TIME_MAD_FLOOR);
      return anomaly('too_fast', t < floorSec ? 'ERROR' : 'WARNING', {
        observed: { seconds: r2(t), secondsPerItem: r2(t / items), items, robustZ: num(z), shareOfMedian: num(t / cut.medianSec) },
        threshold: {
          seconds: r2(cut.cutSec),
          robustZ: -r3(cut.zCut),
          completionTimeShare: config.completionTimeShare,
          minSecondsPerItem: config.minSecondsPerItem,
        },
        baseline: { source: s.name, n: s.stats.n, medianSeconds: r2(cut.medianSec), medianSecondsPerItem: r2(Math.exp(time.median)) },
        rule,
      });
    }
  }
  return undefined;
}

/**
 * Rapid-response thresholds of a form's items (NaN: no baseline for the item), per stats
 * snapshot, config and key layout. A snapshot serves many submissions of the same form, and
 * the layout's key list is one shared array per distinct list of keys, so a submission
 * costs one lookup here and a number per item.
 */
const itemThresholdMemo = new WeakMap<BaselineStats, WeakMap<AssessmentAnomalyConfig, WeakMap<readonly string[], Float64Array>>>();

function layoutThresholds(stats: BaselineStats, config: AssessmentAnomalyConfig, itemKeys: readonly string[]): Float64Array {
  let byConfig = itemThresholdMemo.get(stats);
  if (!byConfig) {
    byConfig = new WeakMap();
    itemThresholdMemo.set(stats, byConfig);
  }
  let byLayout = byConfig.get(config);
  if (!byLayout) {
    byLayout = new WeakMap();
    byConfig.set(config, byLayout);
  }
  let thresholds = byLayout.get(itemKeys);
  if (!thresholds) {
    thresholds = new Float64Array(itemKeys.length);
    for (let i = 0; i < itemKeys.length; i++) {
      const item = Object.prototype.hasOwnProperty.call(stats.items, itemKeys[i]) ? stats.items[itemKeys[i]] : undefined;
      thresholds[i] = !item || item.n < config.minBaselineSamples ? Number.NaN : Math.min(config.itemTimeShare * Math.exp(item.median), config.itemTimeCapSec);
    }
    byLayout.set(itemKeys, thresholds);
  }
  return thresholds;
}

function checkRapidGuessing(f: SubmissionFeatures, sources: readonly Source[], config: AssessmentAnomalyConfig): AssessmentAnomaly | undefined {
  const keys = f.itemKeys;
  const times = f.itemSecAt;
  const perSource = sources.map((s) => layoutThresholds(s.stats, config, keys));
  const rapid: { item: string; seconds: number; threshold: number }[] = [];
  let timed = 0;
  let warmItems = 0;
  for (let i = 0; i < keys.length; i++) {
    const sec = times[i];
    if (sec !== sec) continue;
    timed += 1;
    // A rapid response is defined against the item's typical time (Wise & Ma 2012); an item
    // with no baseline yet is not judged (the completion-time floor covers the cold start).
    let threshold = Number.NaN;
    for (let j = 0; j < perSource.length; j++) {
      const thr = perSource[j][i];
      if (thr === thr) threshold = threshold === threshold ? Math.max(threshold, thr) : thr;
    }
    if (threshold !== threshold) continue;
    warmItems += 1;
    if (sec < threshold) rapid.push({ item: keys[i], seconds: r2(sec), threshold: r2(threshold) });
  }
  if (timed < config.rapidItemMin) return undefined;
  if (warmItems < config.rapidItemMin) return undefined;
  const needed = Math.max(config.rapidItemMin, Math.ceil(config.rapidItemShare * warmItems));
  if (rapid.length < needed) return undefined;
  return anomaly('rapid_guessing', 'WARNING', {
    observed: { rapidItems: rapid.length, timedItems: timed, judgedItems: warmItems, share: r3(rapid.length / warmItems), examples: rapid.slice(0, 5) },
    threshold: { rapidItems: needed, itemTimeShare: config.itemTimeShare, itemTimeCapSec: config.itemTimeCapSec },
    baseline: { itemsWithBaseline: warmItems, minBaselineSamples: config.minBaselineSamples },
    rule: 'an item is rapid below min(itemTimeShare x its median time, itemTimeCapSec); only items with a baseline of minBaselineSamples are judged; flagged at max(rapidItemMin, rapidItemShare x judged items) rapid items',
  });
}

// ---------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------

const PATTERN_CHECKS = [
  { type: 'straight_lining', key: 'allSame' },
  { type: 'sequential_pattern', key: 'sequential' },
  { type: 'alternating_pattern', key: 'alternating' },
] as const;

function checkPatterns(p: PatternReport, sources: readonly Source[], config: AssessmentAnomalyConfig): AssessmentAnomaly[] {
  const out: AssessmentAnomaly[] = [];
  if (p.items < config.patternMinItems) return out;
  for (const check of PATTERN_CHECKS) {
    if (!p[check.key]) continue;
    // Gate: fire while the pattern is honestly rare in some warm baseline, or while none is warm.
    let open = true;
    let shown: { source: string; n: number; prevalence: number; observed: number; near1: number; near2: number } | undefined;
    const warm = sources.filter((s) => s.stats.patterns.n >= config.minBaselineSamples);
    if (warm.length > 0) {
      open = false;
      for (const s of warm) {
        const fig = s.stats.patterns;
        const prevalence = honestPrevalence(fig, check.key);
        if (!shown || prevalence < shown.prevalence) {
          shown = {
            source: s.name,
            n: fig.n,
            prevalence: r4(prevalence),
            observed: r4(fig[check.key] / fig.n),
            near1: r4(fig.near[check.key] / fig.n),
            near2: r4(fig.near2[check.key] / fig.n),
          };
        }
        if (prevalence < config.patternMaxPrevalence) open = true;
      }
    }
    if (!open) continue;
    out.push(
      anomaly(check.type, 'WARNING', {
        observed: {
          items: p.items,
          distinct: p.distinct,
          longstring: p.longstring,
          ...(p.period !== undefined ? { period: p.period } : {}),
          ...(p.matchShare !== undefined ? { matchShare: r3(p.matchShare) } : {}),
          ...(p.direction !== undefined ? { direction: p.direction } : {}),
        },
        threshold: { minItems: config.patternMinItems, matchShare: config.patternMatchShare, maxPrevalence: config.patternMaxPrevalence },
        baseline: shown
          ? { ...shown, estimate: `honest prevalence = min(observed, ${NEAR_PATTERN_FACTOR} x near1, near1^2 / near2) among ordinary submissions` }
          : { coldStart: true, minBaselineSamples: config.minBaselineSamples },
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------
// Score
// ---------------------------------------------------------------------------

function scoreMadFloor(stats: BaselineStats, config: AssessmentAnomalyConfig): number {
  const sc = stats.score!;
  return Math.max(sc.step, config.scoreRangeShare * (sc.q95 - sc.q05), 1e-9);
}

function checkScore(f: SubmissionFeatures, sources: readonly Source[], config: AssessmentAnomalyConfig): AssessmentAnomaly | undefined {
  if (f.score === undefined) return undefined;
  for (const s of sources) {
    const sc = s.stats.score;
    if (!sc || sc.n < config.minBaselineSamples) continue;
    const floor = scoreMadFloor(s.stats, config);
    const z = modifiedZ(f.score, sc, floor);
    const zCut = zCutFor(config.robustZ, sc.n);
    const high = z > zCut;
    const low = config.scoreTail === 'both' && z < -zCut;
    if (!high && !low) continue;
    return anomaly('score_outlier', 'WARNING', {
      observed: { score: f.score, robustZ: num(z), tail: high ? 'high' : 'low' },
      threshold: { robustZ: r3(zCut), score: num(valueAtZ(high ? zCut : -zCut, sc, floor)), tails: config.scoreTail },
      baseline: { source: s.name, n: sc.n, median: r3(sc.median), mad: r3(Math.max(high ? sc.madHigh : sc.madLow, floor)), madFloor: r3(floor) },
      rule: 'modified z = 0.6745 (score - median) / MAD beyond robustZ + 3/sqrt(n); MAD of the side the score is on, floored at max(score step, scoreRangeShare x (q95 - q05))',
    });
  }
  return undefined;
}

/**
 * Robust z cut of the joint rule for a top-scorer group holding `groupShare` of the
 * submissions: the rule's false-positive budget is jointTopShare x P(Z < -jointTimeZ); when
 * ties at a ceiling make the group larger, the time cut gets stricter to stay within it.
 */
export function jointTimeCut(groupShare: number, config: AssessmentAnomalyConfig): number {
  const budget = config.jointTopShare * normalCdf(-config.jointTimeZ);
  if (!(groupShare > config.jointTopShare)) return config.jointTimeZ;
  return -normalQuantile(budget / groupShare);
}

function checkFastHighScore(f: SubmissionFeatures, sources: readonly Source[], config: AssessmentAnomalyConfig): AssessmentAnomaly | undefined {
  if (f.score === undefined || f.lnTimePerItem === undefined) return undefined;
  for (const s of sources) {
    const top = s.stats.top;
    if (!top || !Array.isArray(top.levels) || top.levels.length === 0) continue;
    if (!(top.scoreCut > top.scoreMedian) || f.score < top.scoreCut) continue;
    // The narrowest group whose cut the score reaches: people who scored at least as high.
    let level = top.levels[0];
    for (const l of top.levels) if (f.score >= l.scoreCut && l.scoreCut >= level.scoreCut) level = l;
    const zCut = jointTimeCut(top.groupShare, config) + zCutFor(0, level.time.n);
    // The spread is the wider of the two one-sided MADs: accepted cheaters who were not fast
    // enough to be flagged sit just below the group median, and the group's own fastest
    // members are flagged and left out, both of which shrink the lower MAD (and would flag
    // more honest top scorers); the upper half is untouched by either.
    const spread = { ...level.time, madLow: Math.max(level.time.madLow, level.time.madHigh) };
    const z = modifiedZ(f.lnTimePerItem, spread, LN_TIME_MAD_FLOOR);
    if (!(z < -zCut)) continue;
    const items = Math.max(f.answered, 1);
    return anomaly('fast_high_score', 'ERROR', {
      observed: { score: f.score, seconds: r2(f.completionTimeSec ?? 0), timeRobustZ: num(z) },
      threshold: {
        score: top.scoreCut,
        seconds: r2(Math.exp(valueAtZ(-zCut, spread, LN_TIME_MAD_FLOOR)) * items),
        timeRobustZ: -r3(zCut),
        jointTopShare: config.jointTopShare,
      },
      baseline: {
        source: s.name,
        comparedWith: `${level.time.n} accepted submissions scoring >= ${level.scoreCut}`,
        groupMedianSeconds: r2(Math.exp(level.time.median) * items),
        topShare: r3(top.groupShare),
        medianScore: top.scoreMedian,
      },
      rule: 'score >= the top-scorer cut, and ln time per item below the median of those who scored at least as high by more than (the joint z cut + 3/sqrt(group size)) x 1.4826 x max(MADlow, MADhigh); false-positive budget jointTopShare x P(Z < -jointTimeZ)',
    });
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------

function checkText(f: SubmissionFeatures, scan: TextScanner | undefined, config: AssessmentAnomalyConfig): AssessmentAnomaly[] {
  const out: AssessmentAnomaly[] = [];
  if (scan) {
    const hits: { item: string; kinds: readonly string[]; score: number }[] = [];
    let firstPayload: string | undefined;
    const kinds = new Set<string>();
    for (const t of f.texts) {
      const r = scan(t.value);
      if (!r.attack) continue;
      hits.push({ item: t.path, kinds: [...r.kinds], score: r3(r.score) });
      for (const k of r.kinds) kinds.add(k);
      firstPayload ??= t.value;
    }
    if (hits.length > 0) {
      out.push(
        anomaly('injection', 'CRITICAL', {
          observed: { items: hits.length, kinds: [...kinds], examples: hits.slice(0, 5) },
          threshold: { scanner: 'attack === true' },
          baseline: { none: 'not baseline-relative' },
          payload: (firstPayload as string).slice(0, 120),
        }),
      );
    }
  }
  if (f.textsTruncated) {
    out.push(
      anomaly('scan_incomplete', 'INFO', {
        observed: { items: f.itemKeys.length, truncatedItems: f.truncated, stringsScanned: f.texts.length },
        threshold: { maxItems: config.maxItems, maxScannedStrings: config.maxScannedStrings, reason: f.truncated ? 'items' : 'strings' },
        baseline: { none: 'not baseline-relative' },
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/**
 * Runs every check on one submission against a baseline snapshot (undefined: no baseline,
 * cold start) and says how the submission may feed the baseline. Total: any input shape
 * yields a verdict; a throwing scanner must be wrapped with `safeTextScanner` by the caller.
 */
export function evaluateAssessment(
  sub: AssessmentSubmission,
  snapshot: BaselineSnapshot | undefined,
  config: AssessmentAnomalyConfig,
  scan?: TextScanner,
): AssessmentEvaluation {
  const features = extractFeatures(sub, config);
  const patterns = answerPatterns(features.choiceTokens, features.choiceOrdinals, config.patternMatchShare);
  const sources = sourcesOf(snapshot, config);
  const anomalies: AssessmentAnomaly[] = [];

  if (features.invalid.length > 0) {
    anomalies.push(
      anomaly('invalid_submission', 'WARNING', {
        observed: features.invalid.map((i) => ({ field: i.field, value: i.observed })),
        threshold: features.invalid.map((i) => ({ field: i.field, expected: i.expected })),
        baseline: { none: 'not baseline-relative' },
      }),
    );
  }
  const fast = checkTooFast(features, sources, config);
  if (fast) anomalies.push(fast);
  const rapid = checkRapidGuessing(features, sources, config);
  if (rapid) anomalies.push(rapid);
  anomalies.push(...checkPatterns(patterns, sources, config));
  const score = checkScore(features, sources, config);
  if (score) anomalies.push(score);
  const joint = checkFastHighScore(features, sources, config);
  if (joint) anomalies.push(joint);
  anomalies.push(...checkText(features, scan, config));

  let recording: AssessmentEvaluation['recording'] = 'accepted';
  if (anomalies.length > 0) {
    recording = anomalies.every((a) => PATTERN_ANOMALY_TYPES.includes(a.type as AssessmentAnomalyType)) ? 'patterns-only' : 'none';
  }
  if (!(sub.submittedAt instanceof Date) || !Number.isFinite(sub.submittedAt.getTime()) || typeof sub.user !== 'string') recording = 'none';
  return { verdict: { anomalous: anomalies.length > 0, anomalies }, features, patterns, recording };
}

/** The verdict only. See {@link evaluateAssessment}. */
export function detectAssessmentAnomalies(
  sub: AssessmentSubmission,
  snapshot: BaselineSnapshot | undefined,
  config: AssessmentAnomalyConfig,
  scan?: TextScanner,
): AssessmentVerdict {
  return evaluateAssessment(sub, snapshot, config, scan).verdict;
}

/** The baseline sample for an evaluated submission, or undefined when it must not be recorded. */
export function toBaselineSample(sub: AssessmentSubmission, evaluation: AssessmentEvaluation, config: AssessmentAnomalyConfig): BaselineSample | undefined {
  if (evaluation.recording === 'none') return undefined;
  const f = evaluation.features;
  const times = f.itemTimesSec;
  const at = f.itemSecAt;
  // Item times are kept in seconds, by item key: items with a time > 0, at most
  // maxTrackedItems of them. In the common case that is the submission's whole object, which
  // is kept as it is (the store serialises it at once); ln is taken when samples are loaded.
  let timed = 0;
  let asGiven = true;
  for (let i = 0; i < at.length && asGiven; i++) {
    const sec = at[i];
    if (sec !== sec) continue;
    if (!(sec > 0)) asGiven = false;
    timed += 1;
  }
  asGiven = asGiven && timed <= config.maxTrackedItems && timed === f.itemTimeCount;
  let itemSec: Record<string, number> | undefined = asGiven && timed > 0 ? (times as Record<string, number>) : undefined;
  if (!asGiven) {
    let tracked = 0;
    for (let i = 0; i < at.length; i++) {
      if (tracked >= config.maxTrackedItems) break;
      const sec = at[i];
      if (!(sec > 0)) continue;
      itemSec ??= {};
      itemSec[f.itemKeys[i]] = sec;
      tracked += 1;
    }
  }
  return {
    user: sub.user,
    atMs: sub.submittedAt.getTime(),
    accepted: evaluation.recording === 'accepted',
    ...(f.lnTimePerItem !== undefined ? { lnTimePerItem: Math.round(f.lnTimePerItem * 1e4) / 1e4 } : {}),
    ...(f.score !== undefined ? { score: f.score } : {}),
    choiceItems: evaluation.patterns.items,
    patterns: patternBits(evaluation.patterns),
    ...(itemSec ? { itemSec } : {}),
  };
}
