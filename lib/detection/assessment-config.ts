/**
 * Settings of the assessment anomaly detector: the resolved shape the pure detector reads,
 * its defaults, and a pure validator. `lib/core/assessment-config.ts` turns user options and
 * environment variables into this shape and throws coded errors; this file only describes
 * and checks it, so the detector stays free of I/O and of the error classes.
 *
 * Seed 002's four variables keep their names; two keep their meaning, two are reinterpreted
 * (see docs/assessment-anomalies.md, "Seed variables"):
 * - ANOMALY_BASELINE_WINDOW -> {@link AssessmentAnomalyConfig.baselineWindowDays} (same meaning, days)
 * - ANOMALY_THRESHOLD -> {@link AssessmentAnomalyConfig.robustZ} (a modified z cut; default 3.5, not 2.5)
 * - COMPLETION_TIME_THRESHOLD -> {@link AssessmentAnomalyConfig.completionTimeShare} (share of the MEDIAN time; default 0.3)
 * - SCORE_RANGE_THRESHOLD -> {@link AssessmentAnomalyConfig.scoreRangeShare} (spread floor as a share of the score range)
 */

/** Which tails of the score distribution the score-outlier check watches. */
export type ScoreTail = 'high' | 'both';

/** Resolved detector settings: every field required. Units are in the names. */
export interface AssessmentAnomalyConfig {
  /**
   * ANOMALY_BASELINE_WINDOW. Days of accepted submissions that make up the live baseline of an
   * assessment type. Defaults to `7` (seed 002).
   */
  readonly baselineWindowDays: number;
  /**
   * ANOMALY_THRESHOLD. Cut on the robust (modified) z-score, 0.6745 (x - median) / MAD, used by
   * the speed and score-outlier checks. Defaults to `3.5` (Iglewicz & Hoaglin 1993). Seed 002
   * used 2.5 on a classic z, which flags about 0.6% of honest submissions per tail.
   */
  readonly robustZ: number;
  /**
   * COMPLETION_TIME_THRESHOLD. A submission is "practically fast" when it took less than this
   * share of the type's MEDIAN completion time (per item). Defaults to `0.3`. Seed 002 used 10%
   * of the MEAN, which the long right tail of completion times pulls up.
   */
  readonly completionTimeShare: number;
  /**
   * SCORE_RANGE_THRESHOLD. Floor on the score spread (MAD) as a share of the baseline's central
   * score range (95th minus 5th percentile), so a type where most people get the same score
   * does not flag every small difference. Defaults to `0.05`.
   */
  readonly scoreRangeShare: number;
  /**
   * Cold start: below this many baseline samples of a type no z-score, median share or
   * pattern-prevalence figure is used; only the absolute floors and the form-length gate apply.
   * Defaults to `30` (|M| > 3.5 flags ~12% of honest values at n = 5 and ~0.5% at n = 30).
   */
  readonly minBaselineSamples: number;
  /**
   * Absolute speed floor in seconds per answered item. Below it a submission is too fast even
   * with no baseline. Defaults to `1` (Huang et al. 2012 use 2 s on personality items; yes/no
   * items are answered faster by honest people).
   */
  readonly minSecondsPerItem: number;
  /**
   * Per-item rapid guessing: an item answered faster than this share of the item's median time
   * is a rapid response (Wise & Ma 2012, NT10). Defaults to `0.1`.
   */
  readonly itemTimeShare: number;
  /** Upper cap in seconds on the per-item rapid-response threshold (NT10 caps at 10 s). Defaults to `10`. */
  readonly itemTimeCapSec: number;
  /** Share of timed items that must be rapid to flag rapid guessing. Defaults to `0.25`. */
  readonly rapidItemShare: number;
  /** Minimum number of rapid items to flag rapid guessing. Defaults to `3`. */
  readonly rapidItemMin: number;
  /** Pattern checks only look at forms with at least this many choice items. Defaults to `10`. */
  readonly patternMinItems: number;
  /** Share of positions that must follow a pattern for it to count. Defaults to `0.9`. */
  readonly patternMatchShare: number;
  /**
   * A pattern is flagged only while fewer than this share of ordinary submissions of the type
   * show it. Defaults to `0.005`, so a pattern check cannot by itself flag more than ~0.5% of
   * honest submissions.
   */
  readonly patternMaxPrevalence: number;
  /** Score-outlier tails. Defaults to `'high'` (a low score is not a security signal by itself). */
  readonly scoreTail: ScoreTail;
  /**
   * Joint rule ("high score in short time"): the share of top scorers whose times form the
   * comparison group. Defaults to `0.1`.
   */
  readonly jointTopShare: number;
  /**
   * Joint rule: a top-scoring submission is flagged when its time is below the top scorers'
   * median by more than this robust z. Defaults to `2`. Together with `jointTopShare` it sets
   * the rule's false-positive budget, jointTopShare x P(Z < -jointTimeZ) = 0.23%; when ties at a
   * score ceiling put more people in the group, the z cut is raised to stay within it.
   */
  readonly jointTimeZ: number;
  /** Keep and use a frozen reference baseline against poisoning. Defaults to `true`. */
  readonly poisoningGuard: boolean;
  /**
   * Accepted samples needed before a reference baseline is frozen. Defaults to `200`. Until the
   * live baseline is twice the reference's size, a reference is replaced at every refresh where
   * no drift shows, so an early, noisy reference does not last a week.
   */
  readonly referenceMinSamples: number;
  /** Days between attempts to replace the reference with the live baseline. Defaults to `7`. */
  readonly referenceRefreshDays: number;
  /** A drifted reference is replaced anyway once this old (days). Defaults to `28`. */
  readonly referenceMaxAgeDays: number;
  /**
   * Drift signal: the live baseline has drifted when the share of its samples on the dangerous
   * side of a reference median (faster, higher score) exceeds one half by more than this (or by
   * three standard errors, whichever is larger). Defaults to `0.05`.
   */
  readonly driftMinShift: number;
  /** Strings up to this many characters count as a choice answer; longer ones are free text. Defaults to `32`. */
  readonly maxChoiceLength: number;
  /** Items looked at per submission; the rest are ignored (bounded work). Defaults to `500`. */
  readonly maxItems: number;
  /** Item keys per type whose times are kept in the baseline. Defaults to `100`. */
  readonly maxTrackedItems: number;
  /** Characters of each string handed to the text scanner. Defaults to `4096`. */
  readonly maxTextLength: number;
  /** Strings handed to the text scanner per submission. Defaults to `200`. */
  readonly maxScannedStrings: number;
}

/** User input: any subset of the settings. */
export type AssessmentAnomalyOptions = { readonly [K in keyof AssessmentAnomalyConfig]?: AssessmentAnomalyConfig[K] };

/** Defaults. Each is explained on its field and in docs/assessment-anomalies.md. */
export const DEFAULT_ASSESSMENT_ANOMALY_CONFIG: AssessmentAnomalyConfig = Object.freeze({
  baselineWindowDays: 7,
  robustZ: 3.5,
  completionTimeShare: 0.3,
  scoreRangeShare: 0.05,
  minBaselineSamples: 30,
  minSecondsPerItem: 1,
  itemTimeShare: 0.1,
  itemTimeCapSec: 10,
  rapidItemShare: 0.25,
  rapidItemMin: 3,
  patternMinItems: 10,
  patternMatchShare: 0.9,
  patternMaxPrevalence: 0.005,
  scoreTail: 'high',
  jointTopShare: 0.1,
  jointTimeZ: 2,
  poisoningGuard: true,
  referenceMinSamples: 200,
  referenceRefreshDays: 7,
  referenceMaxAgeDays: 28,
  driftMinShift: 0.05,
  maxChoiceLength: 32,
  maxItems: 500,
  maxTrackedItems: 100,
  maxTextLength: 4096,
  maxScannedStrings: 200,
});

/** How a numeric setting is checked. */
interface NumberRule {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  /** True when the minimum itself is not allowed. */
  readonly minExclusive?: boolean;
  readonly expect: string;
}
interface EnumRule {
  readonly kind: 'enum';
  readonly values: readonly string[];
  readonly expect: string;
}
interface BooleanRule {
  readonly kind: 'boolean';
  readonly expect: string;
}
type Rule = NumberRule | EnumRule | BooleanRule;

/** One rule per setting; the `Record` over `keyof` keeps the list complete. */
export const ASSESSMENT_OPTION_RULES: Readonly<Record<keyof AssessmentAnomalyConfig, Rule>> = Object.freeze({
  baselineWindowDays: { kind: 'number', min: 0, max: 366, minExclusive: true, expect: 'a number of days > 0 and <= 366' },
  robustZ: { kind: 'number', min: 1, max: 20, expect: 'a robust z between 1 and 20' },
  completionTimeShare: { kind: 'number', min: 0, max: 1, expect: 'a share between 0 and 1' },
  scoreRangeShare: { kind: 'number', min: 0, max: 1, expect: 'a share between 0 and 1' },
  minBaselineSamples: { kind: 'number', min: 5, max: 100000, integer: true, expect: 'an integer between 5 and 100000' },
  minSecondsPerItem: { kind: 'number', min: 0, max: 3600, expect: 'seconds between 0 and 3600' },
  itemTimeShare: { kind: 'number', min: 0, max: 1, expect: 'a share between 0 and 1' },
  itemTimeCapSec: { kind: 'number', min: 0, max: 3600, expect: 'seconds between 0 and 3600' },
  rapidItemShare: { kind: 'number', min: 0, max: 1, minExclusive: true, expect: 'a share > 0 and <= 1' },
  rapidItemMin: { kind: 'number', min: 1, max: 100000, integer: true, expect: 'an integer >= 1' },
  patternMinItems: { kind: 'number', min: 4, max: 100000, integer: true, expect: 'an integer >= 4' },
  patternMatchShare: { kind: 'number', min: 0.5, max: 1, expect: 'a share between 0.5 and 1' },
  patternMaxPrevalence: { kind: 'number', min: 0, max: 1, expect: 'a share between 0 and 1' },
  scoreTail: { kind: 'enum', values: ['high', 'both'], expect: '"high" or "both"' },
  jointTopShare: { kind: 'number', min: 0, max: 0.5, minExclusive: true, expect: 'a share > 0 and <= 0.5' },
  jointTimeZ: { kind: 'number', min: 0.5, max: 20, expect: 'a robust z between 0.5 and 20' },
  poisoningGuard: { kind: 'boolean', expect: 'true or false' },
  referenceMinSamples: { kind: 'number', min: 5, max: 1000000, integer: true, expect: 'an integer >= 5' },
  referenceRefreshDays: { kind: 'number', min: 0, max: 366, minExclusive: true, expect: 'a number of days > 0 and <= 366' },
  referenceMaxAgeDays: { kind: 'number', min: 0, max: 3660, minExclusive: true, expect: 'a number of days > 0' },
  driftMinShift: { kind: 'number', min: 0, max: 0.5, expect: 'a share between 0 and 0.5' },
  maxChoiceLength: { kind: 'number', min: 1, max: 10000, integer: true, expect: 'an integer between 1 and 10000' },
  maxItems: { kind: 'number', min: 1, max: 100000, integer: true, expect: 'an integer between 1 and 100000' },
  maxTrackedItems: { kind: 'number', min: 0, max: 10000, integer: true, expect: 'an integer between 0 and 10000' },
  maxTextLength: { kind: 'number', min: 1, max: 1000000, integer: true, expect: 'an integer between 1 and 1000000' },
  maxScannedStrings: { kind: 'number', min: 0, max: 100000, integer: true, expect: 'an integer between 0 and 100000' },
});

/** One thing wrong with an options object. */
export interface OptionProblem {
  readonly key: string;
  readonly value: unknown;
  readonly problem: 'unknown' | 'invalid';
  /** What is expected, or for an unknown key the closest known one. */
  readonly expect: string;
  readonly suggestion?: string;
}

function editDistance(a: string, b: string): number {
  const dp: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** The known option closest to `key`, when it is close enough to be a likely typo. */
export function suggestOption(key: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of Object.keys(ASSESSMENT_OPTION_RULES)) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

/** Checks one value against its rule; undefined when it is valid. */
export function checkOption(key: keyof AssessmentAnomalyConfig, value: unknown): OptionProblem | undefined {
  const rule = ASSESSMENT_OPTION_RULES[key];
  let ok: boolean;
  switch (rule.kind) {
    case 'number':
      ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (rule.minExclusive ? value > rule.min : value >= rule.min) &&
        value <= rule.max &&
        (!rule.integer || Number.isInteger(value));
      break;
    case 'enum':
      ok = typeof value === 'string' && rule.values.includes(value);
      break;
    case 'boolean':
      ok = typeof value === 'boolean';
      break;
  }
  return ok ? undefined : { key, value, problem: 'invalid', expect: rule.expect };
}

/**
 * Resolves options against the defaults without throwing: keys set to `undefined` mean
 * "use the default", unknown keys and bad values are returned as problems (and ignored in
 * the returned config). Cross-field rules: none today; each setting stands alone.
 */
export function resolveAssessmentAnomalyConfig(options: unknown): { config: AssessmentAnomalyConfig; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const out: Record<string, unknown> = { ...DEFAULT_ASSESSMENT_ANOMALY_CONFIG };
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object' || Array.isArray(options)) {
      problems.push({ key: '(options)', value: options, problem: 'invalid', expect: 'an object' });
    } else {
      for (const [key, value] of Object.entries(options as Record<string, unknown>)) {
        if (value === undefined) continue;
        if (!Object.prototype.hasOwnProperty.call(ASSESSMENT_OPTION_RULES, key)) {
          const suggestion = suggestOption(key);
          problems.push({ key, value, problem: 'unknown', expect: 'a known option', suggestion });
          continue;
        }
        const problem = checkOption(key as keyof AssessmentAnomalyConfig, value);
        if (problem) problems.push(problem);
        else out[key] = value;
      }
    }
  }
  return { config: Object.freeze(out) as unknown as AssessmentAnomalyConfig, problems };
}
