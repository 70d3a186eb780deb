/**
 * Parses the assessment anomaly detector's options and environment variables into the
 * resolved {@link AssessmentAnomalyConfig}, once, at start-up. Bad input throws a
 * `ConfigError` that names the option or variable, shows the value and says what is expected.
 */
import {
  type AssessmentAnomalyConfig,
  type AssessmentAnomalyOptions,
  ASSESSMENT_OPTION_RULES,
  DEFAULT_ASSESSMENT_ANOMALY_CONFIG,
  resolveAssessmentAnomalyConfig,
} from '../detection/assessment-config';
import { ConfigError } from './errors';

export type { AssessmentAnomalyConfig, AssessmentAnomalyOptions } from '../detection/assessment-config';
export { DEFAULT_ASSESSMENT_ANOMALY_CONFIG } from '../detection/assessment-config';

/** A value that cannot work. */
export const ERR_INVALID_ASSESSMENT_OPTION = 'ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION';
/** An option name that does not exist (usually a typo). */
export const ERR_UNKNOWN_ASSESSMENT_OPTION = 'ERR_WATCHPOST_UNKNOWN_ASSESSMENT_OPTION';

/**
 * Environment variable of each setting. The first four are seed 002's names (kept; their
 * reinterpretation is documented on the config fields and in docs/assessment-anomalies.md);
 * the others follow the same style.
 */
export const ASSESSMENT_ENV_VARS: Readonly<Record<keyof AssessmentAnomalyConfig, string>> = Object.freeze({
  baselineWindowDays: 'ANOMALY_BASELINE_WINDOW',
  robustZ: 'ANOMALY_THRESHOLD',
  completionTimeShare: 'COMPLETION_TIME_THRESHOLD',
  scoreRangeShare: 'SCORE_RANGE_THRESHOLD',
  minBaselineSamples: 'ANOMALY_MIN_BASELINE_SAMPLES',
  minSecondsPerItem: 'ANOMALY_MIN_SECONDS_PER_ITEM',
  itemTimeShare: 'ANOMALY_ITEM_TIME_SHARE',
  itemTimeCapSec: 'ANOMALY_ITEM_TIME_CAP',
  rapidItemShare: 'ANOMALY_RAPID_ITEM_SHARE',
  rapidItemMin: 'ANOMALY_RAPID_ITEM_MIN',
  patternMinItems: 'ANOMALY_PATTERN_MIN_ITEMS',
  patternMatchShare: 'ANOMALY_PATTERN_MATCH_SHARE',
  patternMaxPrevalence: 'ANOMALY_PATTERN_MAX_PREVALENCE',
  scoreTail: 'ANOMALY_SCORE_TAIL',
  jointTopShare: 'ANOMALY_JOINT_TOP_SHARE',
  jointTimeZ: 'ANOMALY_JOINT_TIME_THRESHOLD',
  poisoningGuard: 'ANOMALY_POISONING_GUARD',
  referenceMinSamples: 'ANOMALY_REFERENCE_MIN_SAMPLES',
  referenceRefreshDays: 'ANOMALY_REFERENCE_REFRESH',
  referenceMaxAgeDays: 'ANOMALY_REFERENCE_MAX_AGE',
  driftMinShift: 'ANOMALY_DRIFT_MIN_SHIFT',
  maxChoiceLength: 'ANOMALY_MAX_CHOICE_LENGTH',
  maxItems: 'ANOMALY_MAX_ITEMS',
  maxTrackedItems: 'ANOMALY_MAX_TRACKED_ITEMS',
  maxTextLength: 'ANOMALY_MAX_TEXT_LENGTH',
  maxScannedStrings: 'ANOMALY_MAX_SCANNED_STRINGS',
});

/**
 * Resolves options against the defaults. Keys set to `undefined` use the default. Throws
 * `ConfigError` (`ERR_WATCHPOST_UNKNOWN_ASSESSMENT_OPTION`, with a suggestion when the key looks
 * like a typo, or `ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION`) on the first problem.
 *
 * @param where names the caller in messages, e.g. `@SecureAssessment() on Quiz.submit`
 */
export function parseAssessmentAnomalyOptions(input: unknown, where = 'assessment anomaly detection'): AssessmentAnomalyConfig {
  const { config, problems } = resolveAssessmentAnomalyConfig(input);
  const first = problems[0];
  if (!first) return config;
  if (first.problem === 'unknown') {
    const hint = first.suggestion ? ` Did you mean \`${first.suggestion}\`?` : ` Known options: ${Object.keys(ASSESSMENT_OPTION_RULES).join(', ')}.`;
    throw new ConfigError(ERR_UNKNOWN_ASSESSMENT_OPTION, `${where}: unknown option ${JSON.stringify(first.key)}.${hint}`);
  }
  throw new ConfigError(
    ERR_INVALID_ASSESSMENT_OPTION,
    `${where}: ${first.key} ${safeJson(first.value)} is not valid. Expected ${first.expect}.`,
  );
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const NUMBER_RE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Turns one raw string (environment variable or CLI flag) into the setting's type. */
export function parseAssessmentSetting(key: keyof AssessmentAnomalyConfig, raw: string, name: string): AssessmentAnomalyConfig[typeof key] {
  const rule = ASSESSMENT_OPTION_RULES[key];
  const fail = (): never => {
    throw new ConfigError(ERR_INVALID_ASSESSMENT_OPTION, `${name} ${JSON.stringify(raw)} is not valid. Expected ${rule.expect}.`);
  };
  let value: unknown;
  switch (rule.kind) {
    case 'number':
      if (!NUMBER_RE.test(raw)) fail();
      value = Number(raw);
      break;
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) value = true;
      else if (['false', '0', 'no', 'off'].includes(v)) value = false;
      else fail();
      break;
    }
    case 'enum':
      // Any case, like every other word setting.
      value = raw.trim().toLowerCase();
      break;
  }
  const { problems } = resolveAssessmentAnomalyConfig({ [key]: value });
  if (problems.length > 0) fail();
  return value as AssessmentAnomalyConfig[typeof key];
}

/**
 * Options from environment variables ({@link ASSESSMENT_ENV_VARS}); unset or empty variables
 * are left out. Throws `ConfigError` naming the variable on a bad value.
 */
export function assessmentOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): AssessmentAnomalyOptions {
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ASSESSMENT_ENV_VARS) as [keyof AssessmentAnomalyConfig, string][]) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    out[key] = parseAssessmentSetting(key, raw, name);
  }
  return out as AssessmentAnomalyOptions;
}

/** Defaults, overridden by the environment, overridden by explicit options. */
export function resolveAssessmentConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: AssessmentAnomalyOptions = {},
  where?: string,
): AssessmentAnomalyConfig {
  const fromEnv = assessmentOptionsFromEnv(env);
  const merged: Record<string, unknown> = { ...fromEnv };
  for (const [k, v] of Object.entries(options)) if (v !== undefined) merged[k] = v;
  return parseAssessmentAnomalyOptions(merged, where);
}

/** The defaults, for documentation and `--help`. */
export const ASSESSMENT_DEFAULTS: AssessmentAnomalyConfig = DEFAULT_ASSESSMENT_ANOMALY_CONFIG;
