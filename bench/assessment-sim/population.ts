/**
 * Honest respondents for the assessment simulator, from item response models:
 * - quizzes: three-parameter logistic model (3PL) with a keyed answer and non-uniform
 *   distractors;
 * - Likert surveys: graded response model (Samejima), discriminations ln a ~ N(0.2, 0.25),
 *   sorted thresholds, a share of reverse-keyed items, and a per-person acquiescence shift
 *   (agreeing whatever the keying), which makes honest straight-lining possible;
 * - yes/no forms: two-parameter logistic model with the same acquiescence shift.
 * Response times follow van der Linden's (2006) lognormal model: ln T_ij ~ N(beta_j - tau_i,
 * sigma_j^2), with speed tau correlated with ability theta. Completion time adds a per-form
 * overhead (instructions, page loads) and, for a few people, a break.
 */
import { Rng } from './rng';

export type FormKind = 'quiz' | 'likert' | 'yesno';

/** What a form looks like and how its honest population behaves. */
export interface FormSpec {
  /** Assessment type name. */
  readonly type: string;
  readonly kind: FormKind;
  readonly items: number;
  /** Answer options (quiz), scale points (likert); 2 for yes/no. */
  readonly options: number;
  /** Median honest seconds per item (before person speed). */
  readonly itemMedianSec: number;
  /** Whether submissions carry per-item times. */
  readonly itemTimes: boolean;
  /** Whether the form has a free-text comment field. */
  readonly freeText: boolean;
  /** Share of reverse-keyed items (likert, yes/no). */
  readonly reverseShare: number;
  /** Whether submissions carry a score. */
  readonly scored: boolean;
  /** Honest submissions per day. */
  readonly perDay: number;
  /** Median seconds of non-item time (instructions, page loads). */
  readonly overheadSec: number;
  /** Mean item location for yes/no forms (negative: "yes" is common). */
  readonly yesLocation?: number;
}

/** How the honest population varies. */
export interface PopulationSpec {
  /** SD of person speed tau (ln seconds). */
  readonly speedSd: number;
  /** Range of the within-person SD of ln item time, drawn per item. */
  readonly withinSd: readonly [number, number];
  /** Correlation of ability and speed. */
  readonly abilitySpeedCorr: number;
  /** SD of the acquiescence shift. */
  readonly acquiescenceSd: number;
  /** Chance that a respondent takes a break (adds minutes). */
  readonly breakProb: number;
  /** Share of honest submissions that are retakes by an earlier user. */
  readonly retakeShare: number;
}

interface QuizItem {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly key: number;
  readonly distractorWeights: readonly number[];
}
interface GradedItem {
  readonly a: number;
  readonly thresholds: readonly number[];
  readonly reversed: boolean;
}
interface TimeParams {
  readonly beta: number;
  readonly sigma: number;
}

/** A form with drawn item parameters. */
export interface Form {
  readonly spec: FormSpec;
  readonly keys: readonly string[];
  readonly quiz?: readonly QuizItem[];
  readonly graded?: readonly GradedItem[];
  readonly time: readonly TimeParams[];
  /** The option labels as they appear in responses. */
  readonly labels: readonly (string | number)[];
}

/** A respondent. */
export interface Person {
  readonly theta: number;
  /** Speed: higher is faster. */
  readonly tau: number;
  readonly acquiescence: number;
  readonly takesBreak: boolean;
}

/** One filled-in form, before it becomes a submission. */
export interface Filled {
  responses: Record<string, unknown>;
  itemTimes: number[];
  overheadSec: number;
  score?: number;
}

const LETTERS = 'abcdefghij';

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Draws the item parameters of a form. */
export function buildForm(spec: FormSpec, pop: PopulationSpec, rng: Rng): Form {
  const keys = Array.from({ length: spec.items }, (_, i) => `q${i + 1}`);
  const time: TimeParams[] = keys.map(() => ({
    beta: Math.log(spec.itemMedianSec) + rng.normal(0, 0.3),
    sigma: rng.uniform(pop.withinSd[0], pop.withinSd[1]),
  }));
  if (spec.kind === 'quiz') {
    const quiz: QuizItem[] = keys.map(() => ({
      a: Math.exp(rng.normal(0.1, 0.3)),
      b: rng.normal(-0.2, 1),
      c: rng.uniform(0.5, 1) / spec.options,
      key: rng.int(spec.options),
      distractorWeights: Array.from({ length: spec.options }, () => rng.uniform(0.2, 1)),
    }));
    return { spec, keys, quiz, time, labels: Array.from({ length: spec.options }, (_, i) => LETTERS[i]) };
  }
  const reversedCount = Math.round(spec.reverseShare * spec.items);
  const reversedIdx = new Set(rng.shuffle(keys.map((_, i) => i)).slice(0, reversedCount));
  const graded: GradedItem[] = keys.map((_, i) => {
    const a = Math.exp(rng.normal(0.2, 0.25));
    if (spec.kind === 'yesno') return { a, thresholds: [rng.normal(spec.yesLocation ?? 0, 0.9)], reversed: reversedIdx.has(i) };
    const loc = rng.normal(0, 0.5);
    const th = Array.from({ length: spec.options - 1 }, () => loc + rng.normal(0, 1.2)).sort((x, y) => x - y);
    return { a, thresholds: th, reversed: reversedIdx.has(i) };
  });
  const labels = spec.kind === 'yesno' ? ['no', 'yes'] : Array.from({ length: spec.options }, (_, i) => i + 1);
  return { spec, keys, graded, time, labels };
}

/** Draws a respondent. */
export function drawPerson(pop: PopulationSpec, rng: Rng): Person {
  const theta = rng.normal();
  const tau = pop.speedSd * (pop.abilitySpeedCorr * theta + Math.sqrt(1 - pop.abilitySpeedCorr ** 2) * rng.normal());
  return { theta, tau, acquiescence: rng.normal(0, pop.acquiescenceSd), takesBreak: rng.bool(pop.breakProb) };
}

/** Honest seconds for each item and the overhead, for a person. */
export function honestTimes(form: Form, person: Person, rng: Rng): { itemTimes: number[]; overheadSec: number } {
  const itemTimes = form.time.map((t) => Math.exp(rng.normal(t.beta - person.tau, t.sigma)));
  let overheadSec = rng.lognormal(form.spec.overheadSec, 0.5) * Math.exp(-person.tau);
  if (person.takesBreak) overheadSec += rng.lognormal(120, 1.0);
  return { itemTimes, overheadSec };
}

/** The honest answer index (0-based option) of item i. */
export function honestAnswer(form: Form, i: number, person: Person, rng: Rng): number {
  if (form.quiz) {
    const it = form.quiz[i];
    const p = it.c + (1 - it.c) * logistic(1.7 * it.a * (person.theta - it.b));
    if (rng.bool(p)) return it.key;
    const w = it.distractorWeights.map((x, k) => (k === it.key ? 0 : x));
    return rng.weighted(w);
  }
  const it = (form.graded as readonly GradedItem[])[i];
  const latent = (it.reversed ? -person.theta : person.theta) + person.acquiescence;
  // Graded response: P(X >= k) = logistic(a (latent - b_k)).
  const u = rng.next();
  let cat = 0;
  for (const b of it.thresholds) {
    if (u < logistic(it.a * (latent - b))) cat += 1;
    else break;
  }
  return cat;
}

/** Score of a set of answer indices (undefined for unscored forms). */
export function scoreOf(form: Form, answers: readonly number[]): number | undefined {
  if (!form.spec.scored) return undefined;
  if (form.quiz) {
    let correct = 0;
    answers.forEach((a, i) => {
      if (a === form.quiz![i].key) correct += 1;
    });
    return Math.round((10000 * correct) / answers.length) / 100;
  }
  const graded = form.graded as readonly GradedItem[];
  const k = form.spec.options;
  let sum = 0;
  answers.forEach((a, i) => {
    sum += graded[i].reversed ? k - 1 - a : a;
  });
  if (form.spec.kind === 'yesno') return sum;
  return Math.round((100 * (sum / answers.length + 1))) / 100;
}

/** Builds responses from answer indices (+ the free-text field when the form has one). */
export function toResponses(form: Form, answers: readonly number[], comment: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  form.keys.forEach((k, i) => {
    out[k] = form.labels[answers[i]];
  });
  if (form.spec.freeText) out.comment = comment ?? '';
  return out;
}

/** Benign free-text comments honest people write (some with quotes, symbols, code). */
export const HONEST_COMMENTS: readonly string[] = [
  'Good questions, a bit long.',
  "I wasn't sure about question 4.",
  'The timer made me nervous!',
  'Could you add more examples? Thanks.',
  "It's fine.",
  'n/a',
  'Too easy :)',
  'Question 7 had two right answers, I think.',
  'I prefer the old layout & colours.',
  'My manager asked me to take this - done.',
  'Loved it <3',
  'Why do you need my age?',
  'I use Python & SQL every day at work.',
  'Re: Q3 - "always" vs "often" is hard to pick.',
  "Don't change a thing.",
  'Page 2 loaded slowly (about 10s).',
  'See my notes: 1) clarity 2) length 3) font size.',
  'Rated 4/5 overall.',
];

/** Benign look-alikes: text that resembles an attack to a naive filter but is not one. */
export const BENIGN_LOOKALIKES: readonly string[] = [
  "O'Brien",
  "My name is Seán O'Brien-D'Arcy.",
  'I would select a plan with more storage.',
  'Please drop me a line when results are out.',
  'SELECT name FROM employees is the first query we learned.',
  'for (let i = 0; i < n; i++) { total += a[i]; }',
  'if (a < b && b > c) return a; else return c;',
  'Use <b>bold</b> for headings, I meant.',
  'The answer is x = y OR z, logically.',
  "Rock 'n' roll; jazz & blues.",
  'It costs $5 - or $6 with tax.',
  'C:\\Users\\me\\Documents\\report.docx is where I saved it.',
  'My union rep said to select option B.',
  'The path is src/lib/index.ts in our repo.',
  'I rate it 10/10 -- really.',
  'Email me at first.last@example.com; thanks!',
  'Update: the form now works on my phone.',
  'Ratio 3:1 and 1 = 1 is trivially true.',
];
