/**
 * Builders for assessment-anomaly specs: submissions, seeded samples and snapshots, so each
 * test states the baseline it runs against in a line or two.
 */
import type { AssessmentSubmission } from '../../lib/core/types';
import type { AssessmentAnomalyConfig } from '../../lib/detection/assessment-config';
import { DEFAULT_ASSESSMENT_ANOMALY_CONFIG } from '../../lib/detection/assessment-config';
import { type BaselineSample, type BaselineSnapshot, DAY_MS, computeStats } from '../../lib/detection/assessment-baseline';
import { PATTERN_BITS } from '../../lib/detection/assessment-patterns';
import { seeded } from '../../lib/core/seeded-random';

/** A Monday, 00:00 UTC: the time every fixture starts from. */
export const T0 = Date.UTC(2025, 0, 6);
export { DAY_MS };

/** Default config, optionally overridden. */
export function config(overrides: Partial<AssessmentAnomalyConfig> = {}): AssessmentAnomalyConfig {
  return { ...DEFAULT_ASSESSMENT_ANOMALY_CONFIG, ...overrides };
}

/** A seeded uniform generator (mulberry32), shared with `npm run simulate`. */
export { seeded };

/** A standard normal draw from a uniform generator. */
export function normal(u: () => number): number {
  let x = 0;
  while (x === 0) x = u();
  return Math.sqrt(-2 * Math.log(x)) * Math.cos(2 * Math.PI * u());
}

/** Answers `values` as q1..qN. */
export function answers(values: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  values.forEach((v, i) => {
    out[`q${i + 1}`] = v;
  });
  return out;
}

/** Varied Likert answers that show no pattern. */
export const VARIED_12 = [4, 2, 5, 3, 3, 1, 4, 5, 2, 2, 4, 3];

/** A submission with sensible defaults. */
export function submission(over: Partial<AssessmentSubmission> = {}): AssessmentSubmission {
  return {
    user: 'u1',
    type: 'quiz',
    completionTimeSec: 120,
    responses: answers(VARIED_12),
    submittedAt: new Date(T0 + DAY_MS),
    ...over,
  };
}

/** How to draw honest baseline samples. */
export interface SampleSpec {
  readonly n: number;
  /** Median seconds per item. */
  readonly medianSecPerItem?: number;
  /** SD of ln time per item. */
  readonly sdLn?: number;
  readonly items?: number;
  readonly scoreMean?: number;
  readonly scoreSd?: number;
  /** Fraction of samples with each pattern bit set (exact pattern). */
  readonly allSame?: number;
  /** Fraction of samples one deviation off all-same. */
  readonly nearAllSame?: number;
  /** Fraction two deviations off all-same. */
  readonly near2AllSame?: number;
  /** Per-item median seconds for item times (q1..qN); omitted: no item times. */
  readonly itemSec?: number;
  /** Time of the first sample and spacing. */
  readonly startMs?: number;
  readonly stepMs?: number;
  readonly userPrefix?: string;
  readonly seed?: number;
}

/** Honest-looking samples drawn from a spec. */
export function samples(spec: SampleSpec): BaselineSample[] {
  const u = seeded(spec.seed ?? 7);
  const items = spec.items ?? 12;
  const out: BaselineSample[] = [];
  for (let i = 0; i < spec.n; i++) {
    const lnT = Math.log(spec.medianSecPerItem ?? 10) + (spec.sdLn ?? 0.3) * normal(u);
    let bits = 0;
    const r = u();
    if (r < (spec.allSame ?? 0)) bits |= PATTERN_BITS.allSame;
    else if (r < (spec.allSame ?? 0) + (spec.nearAllSame ?? 0)) bits |= PATTERN_BITS.nearAllSame;
    else if (r < (spec.allSame ?? 0) + (spec.nearAllSame ?? 0) + (spec.near2AllSame ?? 0)) bits |= PATTERN_BITS.near2AllSame;
    const itemLnTimes: Record<string, number> | undefined =
      spec.itemSec === undefined
        ? undefined
        : Object.fromEntries(Array.from({ length: items }, (_, j) => [`q${j + 1}`, Math.log(spec.itemSec as number) + 0.4 * normal(u)]));
    out.push({
      user: `${spec.userPrefix ?? 'h'}${i}`,
      atMs: (spec.startMs ?? T0) + i * (spec.stepMs ?? 60_000),
      accepted: true,
      lnTimePerItem: lnT,
      ...(spec.scoreMean !== undefined ? { score: Math.round(spec.scoreMean + (spec.scoreSd ?? 10) * normal(u)) } : {}),
      choiceItems: items,
      patterns: bits,
      ...(itemLnTimes ? { itemLnTimes } : {}),
    });
  }
  return out;
}

/** A live-only snapshot computed from samples, as of `nowMs` (default: after the last sample). */
export function snapshotOf(list: readonly BaselineSample[], cfg: AssessmentAnomalyConfig = config(), nowMs?: number, type = 'quiz'): BaselineSnapshot {
  const now = nowMs ?? Math.max(T0, ...list.map((s) => s.atMs)) + 1000;
  return { type, live: computeStats(list, now, cfg) };
}
