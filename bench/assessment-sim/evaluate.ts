/**
 * Runs labelled streams through the same path as the CLI and the middleware (AssessmentAnalyzer
 * + MemoryBaselineStore) and measures false-positive rates on honest traffic and recall per
 * anomaly kind. Also the poisoning scenarios: an attacker who keeps 30% of the baseline window
 * filled with crafted, just-accepted fast submissions, and one who floods a form with
 * straight-lined submissions to make the pattern look common.
 */
import type { AssessmentSubmission } from '../../lib/core/types';
import { DAY_MS } from '../../lib/detection/assessment-baseline';
import { AssessmentAnalyzer, REPEATABLE_THINNING_SEED, type AssessmentAnalysis } from '../../lib/core/assessment-analyzer';
import { parseAssessmentAnomalyOptions, type AssessmentAnomalyOptions } from '../../lib/core/assessment-config';
import { MemoryBaselineStore } from '../../lib/stores/memory-baseline-store';
import { tooFastThresholdSec } from '../../lib/detection/assessment-anomaly';
import { extractFeatures } from '../../lib/detection/assessment-features';
import { answerPatterns } from '../../lib/detection/assessment-patterns';
import { Rng } from './rng';
import { type Form, type FormSpec, drawPerson, honestAnswer, honestTimes } from './population';
import { type Kind, type Labelled, type ScenarioConfig, type Stream, anomalousSubmission, honestSubmission, makeSubmission, START_MS } from './scenario';

/**
 * Poison submissions per honest one: 3/7 would make 30% of the window if every one were
 * accepted; some are caught by other checks, so the attacker sends a little more.
 */
const POISON_RATE = 0.5;

/** Checks that count as "the intended check" for each anomaly kind. */
export const INTENDED: Readonly<Partial<Record<Kind, readonly string[]>>> = {
  rapid_guessing: ['too_fast', 'rapid_guessing'],
  straight_lining: ['straight_lining'],
  sequential: ['sequential_pattern'],
  alternating: ['alternating_pattern'],
  answer_key: ['fast_high_score', 'score_outlier', 'too_fast', 'rapid_guessing'],
  partial_preknowledge: ['fast_high_score', 'score_outlier', 'too_fast', 'rapid_guessing'],
  injection: ['injection'],
};

/** Counts for one group of submissions. */
export interface Tally {
  n: number;
  any: number;
  byCheck: Record<string, number>;
  intended: number;
}

function tally(): Tally {
  return { n: 0, any: 0, byCheck: {}, intended: 0 };
}

function add(t: Tally, a: AssessmentAnalysis, intended?: readonly string[]): void {
  t.n += 1;
  if (a.anomalous) t.any += 1;
  const seen = new Set<string>();
  for (const an of a.anomalies) {
    if (seen.has(an.type)) continue;
    seen.add(an.type);
    t.byCheck[an.type] = (t.byCheck[an.type] ?? 0) + 1;
  }
  if (intended && a.anomalies.some((an) => intended.includes(an.type))) t.intended += 1;
}

/** Results of one stream. */
export interface StreamResult {
  readonly name: string;
  readonly seed: number;
  /** Honest traffic per type. */
  readonly honestByType: Record<string, Tally>;
  readonly honestAll: Tally;
  readonly benign: Tally;
  /** Per anomaly kind, all forms. */
  readonly byKind: Record<string, Tally>;
  /** Pattern kinds on forms with at least patternMinItems choice items. */
  readonly byKindLongForms: Record<string, Tally>;
  /**
   * Pattern kinds on forms with at least patternMinItems items where honest submissions show
   * the pattern less often than patternMaxPrevalence (ground truth): where the gate should be open.
   */
  readonly byKindRareForms: Record<string, Tally>;
  /** Ground-truth honest prevalence of each pattern per type. */
  readonly honestPatternRates: Record<string, { allSame: number; sequential: number; alternating: number }>;
  /** Per anomaly kind and type. */
  readonly byKindType: Record<string, Record<string, Tally>>;
  /** Verdict lines in stream order (for the CLI equivalence check). */
  readonly lines?: string[];
  readonly forms: readonly FormSpec[];
}

/** Runs one stream through a fresh analyzer and memory store. */
export async function runStream(stream: Stream, options: AssessmentAnomalyOptions = {}, keepLines = false): Promise<StreamResult> {
  const config = parseAssessmentAnomalyOptions(options, 'benchmark');
  const store = new MemoryBaselineStore();
  const analyzer = new AssessmentAnalyzer({ store, config, thinningSeed: REPEATABLE_THINNING_SEED });
  const honestByType: Record<string, Tally> = {};
  const honestAll = tally();
  const benign = tally();
  const byKind: Record<string, Tally> = {};
  const byKindLongForms: Record<string, Tally> = {};
  const byKindRareForms: Record<string, Tally> = {};
  const byKindType: Record<string, Record<string, Tally>> = {};
  const lines: string[] = [];
  // Ground truth: how often honest submissions of each type show each pattern.
  const counts: Record<string, { n: number; allSame: number; sequential: number; alternating: number }> = {};
  for (const item of stream.items) {
    if (item.kind !== 'honest') continue;
    const f = extractFeatures(item.sub, config);
    const p = answerPatterns(f.choiceTokens, f.choiceOrdinals, config.patternMatchShare);
    const c = (counts[item.sub.type] ??= { n: 0, allSame: 0, sequential: 0, alternating: 0 });
    c.n += 1;
    if (p.allSame) c.allSame += 1;
    if (p.sequential) c.sequential += 1;
    if (p.alternating) c.alternating += 1;
  }
  const honestPatternRates: Record<string, { allSame: number; sequential: number; alternating: number }> = {};
  for (const [type, c] of Object.entries(counts)) honestPatternRates[type] = { allSame: c.allSame / c.n, sequential: c.sequential / c.n, alternating: c.alternating / c.n };
  const PATTERN_OF: Partial<Record<Kind, 'allSame' | 'sequential' | 'alternating'>> = { straight_lining: 'allSame', sequential: 'sequential', alternating: 'alternating' };
  for (const item of stream.items) {
    const a = await analyzer.analyze(item.sub);
    if (keepLines) lines.push(JSON.stringify(a));
    if (item.kind === 'honest') {
      add((honestByType[item.sub.type] ??= tally()), a);
      add(honestAll, a);
    } else if (item.kind === 'benign_lookalike') {
      add(benign, a);
    } else {
      const intended = INTENDED[item.kind];
      add((byKind[item.kind] ??= tally()), a, intended);
      add(((byKindType[item.kind] ??= {})[item.sub.type] ??= tally()), a, intended);
      if (item.form.items >= config.patternMinItems) {
        add((byKindLongForms[item.kind] ??= tally()), a, intended);
        const key = PATTERN_OF[item.kind];
        if (key && (honestPatternRates[item.sub.type]?.[key] ?? 0) < config.patternMaxPrevalence) add((byKindRareForms[item.kind] ??= tally()), a, intended);
      }
    }
  }
  await analyzer.close();
  await store.shutdown();
  return {
    name: stream.config.name,
    seed: stream.seed,
    honestByType,
    honestAll,
    benign,
    byKind,
    byKindLongForms,
    byKindRareForms,
    honestPatternRates,
    byKindType,
    ...(keepLines ? { lines } : {}),
    forms: stream.config.forms,
  };
}

/** Result of the speed-poisoning scenario. */
export interface SpeedPoisoningResult {
  readonly type: string;
  readonly guard: boolean;
  /** Share of accepted baseline samples that are poison, averaged over the measurement period. */
  readonly poisonShare: number;
  /** too_fast recall on rapid guessers in the measurement period. */
  readonly speedRecall: number;
  /** Recall of too_fast OR rapid_guessing. */
  readonly speedRecallAny: number;
  /** The same rapid guessers with no attack (for comparison). */
  readonly cleanRecall: number;
  /** Honest false positives (too_fast) in the measurement period. */
  readonly honestFp: number;
  /** Day the drift signal was first raised (undefined: never). */
  readonly driftDay?: number;
  /** Median per-item threshold (s) the attacker reached at the end, vs the clean one. */
  readonly thresholdEnd: number;
  readonly thresholdClean: number;
  readonly rapidCount: number;
}

/**
 * Speed poisoning: honest traffic for 14 days on one form; from day 5 an attacker with many
 * accounts sends, at 3/7 of the honest rate (so 30% of the window once it is full), honest-looking
 * answers with a completion time just above the current flagging threshold (an oracle: the worst
 * case). From day 12, ~100 rapid guessers arrive; we measure how many the speed checks catch.
 */
export async function runSpeedPoisoning(form: Form, pop: ScenarioConfig['population'], seed: number, guard: boolean, attack = true): Promise<SpeedPoisoningResult> {
  const config = parseAssessmentAnomalyOptions({ poisoningGuard: guard }, 'benchmark');
  const store = new MemoryBaselineStore();
  const analyzer = new AssessmentAnalyzer({ store, config, thinningSeed: REPEATABLE_THINNING_SEED });
  const rng = new Rng(seed).fork(`poison:${form.spec.type}`);
  const perDay = form.spec.perDay;
  const events: { atMs: number; role: 'honest' | 'poison' | 'rapid' }[] = [];
  for (let i = 0; i < perDay * 14; i++) events.push({ atMs: START_MS + rng.next() * 14 * DAY_MS, role: 'honest' });
  if (attack) for (let i = 0; i < perDay * 9 * POISON_RATE; i++) events.push({ atMs: START_MS + (5 + rng.next() * 9) * DAY_MS, role: 'poison' });
  for (let i = 0; i < 100; i++) events.push({ atMs: START_MS + (12 + rng.next() * 2) * DAY_MS, role: 'rapid' });
  events.sort((a, b) => a.atMs - b.atMs);
  let serial = 0;
  let rapid = 0;
  let rapidHit = 0;
  let rapidHitAny = 0;
  let honestLate = 0;
  let honestLateFp = 0;
  let driftDay: number | undefined;
  const shares: number[] = [];
  let thresholdEnd = 0;
  // Poison submissions carry no comment, so their answered items are the form's items.
  const J = form.keys.length;
  for (const ev of events) {
    const day = (ev.atMs - START_MS) / DAY_MS;
    let sub: AssessmentSubmission;
    if (ev.role === 'honest') {
      sub = honestSubmission(form, drawPerson(pop, rng), `h-${++serial}`, ev.atMs, rng);
    } else if (ev.role === 'rapid') {
      sub = anomalousSubmission('rapid_guessing', form, pop, `r-${++serial}`, ev.atMs, rng);
    } else {
      const snap = await analyzer.snapshot(form.spec.type, ev.atMs);
      const person = drawPerson(pop, rng);
      const answers = form.keys.map((_, i) => honestAnswer(form, i, person, rng));
      const times = honestTimes(form, person, rng);
      const target = tooFastThresholdSec(snap, J, config) * rng.uniform(1.02, 1.1);
      const sum = times.itemTimes.reduce((s, x) => s + x, 0) + times.overheadSec;
      const f = target / sum;
      sub = makeSubmission(form, `p-${++serial}`, ev.atMs, answers, { itemTimes: times.itemTimes.map((t) => t * f), overheadSec: times.overheadSec * f });
    }
    const a = await analyzer.analyze(sub);
    if (a.baseline.drift && driftDay === undefined) driftDay = Math.round(day * 10) / 10;
    if (day >= 12) {
      if (ev.role === 'rapid') {
        rapid += 1;
        if (a.anomalies.some((x) => x.type === 'too_fast')) rapidHit += 1;
        if (a.anomalies.some((x) => x.type === 'too_fast' || x.type === 'rapid_guessing')) rapidHitAny += 1;
      } else if (ev.role === 'honest') {
        honestLate += 1;
        if (a.anomalies.some((x) => x.type === 'too_fast')) honestLateFp += 1;
        if (honestLate % 50 === 0) {
          const samples = await store.samples(form.spec.type, ev.atMs - config.baselineWindowDays * DAY_MS);
          const accepted = samples.filter((s) => s.accepted);
          shares.push(accepted.filter((s) => s.user.startsWith('p-')).length / Math.max(accepted.length, 1));
        }
      }
    }
  }
  const finalSnap = await analyzer.snapshot(form.spec.type, START_MS + 14 * DAY_MS);
  thresholdEnd = tooFastThresholdSec(finalSnap, J, config) / J;
  let clean: SpeedPoisoningResult | undefined;
  if (attack) clean = await runSpeedPoisoning(form, pop, seed, guard, false);
  await analyzer.close();
  return {
    type: form.spec.type,
    guard,
    poisonShare: shares.length ? shares.reduce((s, x) => s + x, 0) / shares.length : 0,
    speedRecall: rapid ? rapidHit / rapid : 0,
    speedRecallAny: rapid ? rapidHitAny / rapid : 0,
    cleanRecall: clean ? clean.speedRecall : rapid ? rapidHit / rapid : 0,
    honestFp: honestLate ? honestLateFp / honestLate : 0,
    ...(driftDay !== undefined ? { driftDay } : {}),
    thresholdEnd,
    thresholdClean: clean ? clean.thresholdEnd : thresholdEnd,
    rapidCount: rapid,
  };
}

/** Result of the pattern-poisoning scenario. */
export interface PatternPoisoningResult {
  readonly type: string;
  readonly guard: boolean;
  readonly floodShare: number;
  /** straight_lining recall on straight-liners arriving after the flood has filled the window. */
  readonly recall: number;
  readonly driftDay?: number;
  readonly count: number;
}

/**
 * Pattern poisoning: from day 3, many accounts send straight-lined answers at normal speed
 * (3% of traffic) so that all-same answers look common on a form where they are rare; from
 * day 11, ~100 straight-liners arrive and we measure how many are still flagged.
 */
export async function runPatternPoisoning(form: Form, pop: ScenarioConfig['population'], seed: number, guard: boolean): Promise<PatternPoisoningResult> {
  const config = parseAssessmentAnomalyOptions({ poisoningGuard: guard }, 'benchmark');
  const store = new MemoryBaselineStore();
  const analyzer = new AssessmentAnalyzer({ store, config, thinningSeed: REPEATABLE_THINNING_SEED });
  const rng = new Rng(seed).fork(`flood:${form.spec.type}`);
  const perDay = form.spec.perDay;
  const floodShare = 0.03;
  const events: { atMs: number; role: 'honest' | 'flood' | 'probe' }[] = [];
  for (let i = 0; i < perDay * 14; i++) events.push({ atMs: START_MS + rng.next() * 14 * DAY_MS, role: 'honest' });
  for (let i = 0; i < perDay * 11 * floodShare; i++) events.push({ atMs: START_MS + (3 + rng.next() * 11) * DAY_MS, role: 'flood' });
  for (let i = 0; i < 100; i++) events.push({ atMs: START_MS + (11 + rng.next() * 3) * DAY_MS, role: 'probe' });
  events.sort((a, b) => a.atMs - b.atMs);
  let serial = 0;
  let hits = 0;
  let count = 0;
  let driftDay: number | undefined;
  for (const ev of events) {
    const day = (ev.atMs - START_MS) / DAY_MS;
    let sub: AssessmentSubmission;
    if (ev.role === 'honest') sub = honestSubmission(form, drawPerson(pop, rng), `h-${++serial}`, ev.atMs, rng);
    else sub = anomalousSubmission('straight_lining', form, pop, `${ev.role}-${++serial}`, ev.atMs, rng);
    const a = await analyzer.analyze(sub);
    if (a.baseline.drift && driftDay === undefined) driftDay = Math.round(day * 10) / 10;
    if (ev.role === 'probe') {
      count += 1;
      if (a.anomalies.some((x) => x.type === 'straight_lining')) hits += 1;
    }
  }
  await analyzer.close();
  return { type: form.spec.type, guard, floodShare, recall: count ? hits / count : 0, ...(driftDay !== undefined ? { driftDay } : {}), count };
}

/** Labelled items of a kind, for tests. */
export function itemsOf(stream: Stream, kind: Kind): Labelled[] {
  return stream.items.filter((i) => i.kind === kind);
}
