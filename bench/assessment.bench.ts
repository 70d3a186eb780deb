/**
 * Assessment anomaly detection against ground truth (`npm run bench -- assessment`).
 *
 * Simulated streams (bench/assessment-sim/) go through the same path as `watchpost assess` and
 * the middleware (AssessmentAnalyzer + MemoryBaselineStore, default settings). Prints:
 * - per-check false-positive rate on honest submissions, per assessment type, and combined;
 * - recall per anomaly kind (any check, and the check meant for it);
 * - precision at ~5% prevalence;
 * - speed recall with 30% of the baseline window poisoned, with and without the guard;
 * - straight-lining recall under a flood of crafted straight-liners;
 * for the `default` configuration, a `shifted` one (other sizes, scales, speeds) and a `wide`
 * one (a very heterogeneous population), over several seeds, and checks that the CLI gives
 * byte-identical verdicts on the same stream.
 *
 * Options: `--seeds 1,2,3` (default 1,2,3), `--quick` (one seed, no poisoning ablation).
 */
import { PassThrough, Readable } from 'node:stream';
import { AssessmentAnalyzer, REPEATABLE_THINNING_SEED } from '../lib/core/assessment-analyzer';
import { parseAssessmentAnomalyOptions } from '../lib/core/assessment-config';
import { MemoryBaselineStore } from '../lib/stores/memory-baseline-store';
import { assessStream } from '../lib/cli/assess';
import { ASSESSMENT_ANOMALY_TYPES } from '../lib/detection/assessment-anomaly';
import {
  type PatternPoisoningResult,
  type SpeedPoisoningResult,
  type StreamResult,
  type Tally,
  INTENDED,
  runPatternPoisoning,
  runSpeedPoisoning,
  runStream,
} from './assessment-sim/evaluate';
import { ANOMALY_KINDS, DEFAULT_SCENARIO, SHIFTED_SCENARIO, WIDE_SCENARIO, type ScenarioConfig, generateStream, toJsonLine } from './assessment-sim/scenario';

const CHECKS: readonly string[] = ASSESSMENT_ANOMALY_TYPES;
const SHORT: Record<string, string> = {
  too_fast: 'fast',
  rapid_guessing: 'rapid',
  straight_lining: 'straight',
  sequential_pattern: 'seq',
  alternating_pattern: 'alt',
  score_outlier: 'score',
  fast_high_score: 'fastHigh',
  injection: 'inject',
  scan_incomplete: 'scanInc',
  invalid_submission: 'invalid',
};

const PER_CHECK_FP_TARGET = 0.005;
const COMBINED_FP_TARGET = 0.01;
const RECALL_TARGETS: Record<string, number> = {
  rapid_guessing: 0.95,
  straight_lining: 0.95,
  sequential: 0.95,
  alternating: 0.95,
  injection: 0.95,
  answer_key: 0.5,
};

function pct(x: number, digits = 2): string {
  return `${(100 * x).toFixed(digits)}%`;
}

const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

function rate(t: Tally | undefined, check?: string): number {
  if (!t || t.n === 0) return 0;
  return (check ? (t.byCheck[check] ?? 0) : t.any) / t.n;
}

function printFp(r: StreamResult): void {
  console.log(`\nFalse positives on honest submissions (${r.name}, seed ${r.seed}); target: each check <= ${pct(PER_CHECK_FP_TARGET, 1)}, combined <= ${pct(COMBINED_FP_TARGET, 0)}`);
  const cols = CHECKS.filter((c) => c !== 'invalid_submission');
  console.log(`${pad('type', 11)}${lpad('n', 6)} ${cols.map((c) => lpad(SHORT[c], 8)).join('')} ${lpad('combined', 9)}`);
  const rows = [...Object.keys(r.honestByType).sort().map((k) => [k, r.honestByType[k]] as const), ['ALL', r.honestAll] as const, ['benign*', r.benign] as const];
  for (const [name, t] of rows) {
    const cells = cols.map((c) => {
      const v = rate(t, c);
      return lpad(v > PER_CHECK_FP_TARGET ? `${pct(v)}!` : pct(v), 8);
    });
    const comb = rate(t);
    console.log(`${pad(name, 11)}${lpad(String(t.n), 6)} ${cells.join('')} ${lpad(comb > COMBINED_FP_TARGET ? `${pct(comb)}!` : pct(comb), 9)}`);
  }
  console.log('  (* benign look-alikes: honest answers with tricky free text; "!" marks a missed target)');
}

function printRecall(r: StreamResult): void {
  console.log(`\nRecall per anomaly kind (${r.name}, seed ${r.seed}); "intended" = the check meant for the kind`);
  console.log(`${pad('kind', 22)}${lpad('n', 5)}${lpad('any', 9)}${lpad('intended', 10)}${lpad('target', 8)}   intended checks / per type (intended)`);
  for (const kind of ANOMALY_KINDS) {
    const t = r.byKind[kind];
    if (!t) continue;
    const target = RECALL_TARGETS[kind];
    const intended = INTENDED[kind];
    const perType = Object.entries(r.byKindType[kind] ?? {})
      .sort()
      .map(([ty, tt]) => `${ty} ${pct(intended ? tt.intended / tt.n : tt.any / tt.n, 0)}`)
      .join(', ');
    const inten = intended ? t.intended / t.n : t.any / t.n;
    console.log(
      `${pad(kind, 22)}${lpad(String(t.n), 5)}${lpad(pct(t.any / t.n, 1), 9)}${lpad(intended ? pct(inten, 1) : '-', 10)}${lpad(target ? `>=${target}` : '-', 8)}   ${intended ? intended.join('|') : 'any'} / ${perType}`,
    );
  }
  for (const kind of ['straight_lining', 'sequential', 'alternating']) {
    const t = r.byKindLongForms[kind];
    if (t) console.log(`${pad(`  ${kind}, 10+ items`, 40)}${lpad(String(t.n), 5)}${lpad(pct(t.any / t.n, 1), 9)}${lpad(pct(t.intended / t.n, 1), 10)}`);
    const u = r.byKindRareForms[kind];
    if (u) console.log(`${pad(`  ${kind}, 10+ items, honestly rare**`, 40)}${lpad(String(u.n), 5)}${lpad(pct(u.any / u.n, 1), 9)}${lpad(pct(u.intended / u.n, 1), 10)}`);
  }
  const rates = Object.entries(r.honestPatternRates)
    .sort()
    .map(([ty, v]) => `${ty} ${pct(v.allSame, 1)}/${pct(v.sequential, 1)}/${pct(v.alternating, 1)}`)
    .join(', ');
  console.log(`  ** forms where honest submissions show the pattern less than 0.5% of the time (ground truth). Honest all-same/sequential/alternating: ${rates}`);
}

function precision(r: StreamResult, kinds: readonly string[]): number {
  const recalls = kinds.map((k) => r.byKind[k]).filter((t): t is Tally => Boolean(t)).map((t) => t.any / t.n);
  const recall = recalls.reduce((s, x) => s + x, 0) / Math.max(recalls.length, 1);
  const fp = rate(r.honestAll);
  return (0.05 * recall) / (0.05 * recall + 0.95 * fp);
}

function printPrecision(r: StreamResult): void {
  const targeted = ['rapid_guessing', 'straight_lining', 'sequential', 'alternating', 'answer_key', 'injection'];
  console.log(
    `\nPrecision at 5% prevalence (${r.name}, seed ${r.seed}): ${pct(precision(r, targeted), 1)} (targeted kinds), ${pct(precision(r, ANOMALY_KINDS), 1)} (all eight kinds incl. random answers and partial pre-knowledge); honest combined FP ${pct(rate(r.honestAll))}`,
  );
}

interface Summary {
  maxCheckFp: { v: number; where: string };
  maxCombinedFp: { v: number; where: string };
  minRecall: Record<string, { v: number; seed: number }>;
}

function summarise(results: StreamResult[]): Summary {
  const s: Summary = { maxCheckFp: { v: 0, where: '' }, maxCombinedFp: { v: 0, where: '' }, minRecall: {} };
  for (const r of results) {
    for (const [type, t] of Object.entries(r.honestByType)) {
      for (const c of CHECKS) {
        const v = rate(t, c);
        if (v > s.maxCheckFp.v) s.maxCheckFp = { v, where: `${type}/${c}/seed ${r.seed}` };
      }
      const v = rate(t);
      if (v > s.maxCombinedFp.v) s.maxCombinedFp = { v, where: `${type}/seed ${r.seed}` };
    }
    for (const kind of ANOMALY_KINDS) {
      const t = ['straight_lining', 'sequential', 'alternating'].includes(kind) ? r.byKindRareForms[kind] : r.byKind[kind];
      if (!t) continue;
      const intended = INTENDED[kind];
      const v = intended ? t.intended / t.n : t.any / t.n;
      if (!s.minRecall[kind] || v < s.minRecall[kind].v) s.minRecall[kind] = { v, seed: r.seed };
    }
  }
  return s;
}

function printSummary(name: string, s: Summary, seeds: readonly number[]): void {
  console.log(`\nSummary over seeds ${seeds.join(', ')} (${name}):`);
  console.log(`  worst per-check FP on honest, any type: ${pct(s.maxCheckFp.v)} (${s.maxCheckFp.where}) ${s.maxCheckFp.v <= PER_CHECK_FP_TARGET ? 'ok' : 'MISSED'}`);
  console.log(`  worst combined FP on honest, any type:  ${pct(s.maxCombinedFp.v)} (${s.maxCombinedFp.where}) ${s.maxCombinedFp.v <= COMBINED_FP_TARGET ? 'ok' : 'MISSED'}`);
  for (const [kind, m] of Object.entries(s.minRecall)) {
    const target = RECALL_TARGETS[kind];
    const long = ['straight_lining', 'sequential', 'alternating'].includes(kind) ? ' (10+ items, honestly rare)' : '';
    console.log(`  lowest intended recall ${pad(kind + long, 48)} ${pct(m.v, 1)} (seed ${m.seed})${target ? (m.v >= target ? ' ok' : ` MISSED (target ${target})`) : ''}`);
  }
}

function printSpeedPoisoning(rows: SpeedPoisoningResult[]): void {
  console.log('\nSpeed poisoning: from day 5, crafted submissions just above the current threshold (an oracle attacker),');
  console.log('30% of the baseline window; rapid guessers on days 12-14. Target: speed recall >= 0.75 with the guard.');
  console.log(`${pad('type', 11)}${pad('guard', 7)}${lpad('poison', 8)}${lpad('too_fast', 10)}${lpad('+rapid', 8)}${lpad('clean', 8)}${lpad('honestFP', 10)}${lpad('thr s/item', 12)}${lpad('clean thr', 11)}${lpad('drift day', 11)}`);
  for (const r of rows) {
    console.log(
      `${pad(r.type, 11)}${pad(r.guard ? 'on' : 'off', 7)}${lpad(pct(r.poisonShare, 0), 8)}${lpad(pct(r.speedRecall, 0), 10)}${lpad(pct(r.speedRecallAny, 0), 8)}${lpad(pct(r.cleanRecall, 0), 8)}${lpad(pct(r.honestFp, 2), 10)}${lpad(r.thresholdEnd.toFixed(2), 12)}${lpad(r.thresholdClean.toFixed(2), 11)}${lpad(r.driftDay === undefined ? '-' : String(r.driftDay), 11)}`,
    );
  }
}

function printPatternPoisoning(rows: PatternPoisoningResult[]): void {
  console.log('\nPattern poisoning: from day 3, 3% of traffic is straight-lined at normal speed by many accounts (to make');
  console.log('all-same answers look common); straight-liners on days 11-14: share still flagged straight_lining.');
  for (const r of rows) {
    console.log(`  ${pad(r.type, 11)} guard ${pad(r.guard ? 'on' : 'off', 4)} recall ${lpad(pct(r.recall, 0), 5)} (n=${r.count})  drift day ${r.driftDay ?? '-'}`);
  }
}

async function cliEquivalence(config: ScenarioConfig, seed: number, expected: readonly string[]): Promise<boolean> {
  const stream = generateStream(config, seed);
  const input = Readable.from(stream.items.map((i) => `${toJsonLine(i.sub)}\n`));
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const analyzer = new AssessmentAnalyzer({ store: new MemoryBaselineStore(), config: parseAssessmentAnomalyOptions({}), thinningSeed: REPEATABLE_THINNING_SEED });
  await assessStream({ stdin: input, stdout: out }, analyzer);
  const got = text.trimEnd().split('\n');
  if (got.length !== expected.length) return false;
  for (let i = 0; i < got.length; i++) if (got[i] !== expected[i]) return false;
  return true;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const seedArg = args.find((a) => a.startsWith('--seeds='));
  const seeds = seedArg ? seedArg.slice('--seeds='.length).split(',').map(Number) : quick ? [1] : [1, 2, 3];
  const started = Date.now();
  console.log('Assessment anomaly detection vs simulated ground truth (default settings; analyzer + memory store, the CLI path).');

  for (const scenario of [DEFAULT_SCENARIO, SHIFTED_SCENARIO, WIDE_SCENARIO]) {
    const results: StreamResult[] = [];
    for (const seed of seeds) {
      const stream = generateStream(scenario, seed);
      const keep = scenario === DEFAULT_SCENARIO && seed === seeds[0];
      const r = await runStream(stream, {}, keep);
      results.push(r);
      if (seed === seeds[0]) {
        console.log(`\n########## configuration "${scenario.name}": ${scenario.forms.map((f) => `${f.type} (${f.kind}, ${f.items} items, ${f.options} options, ${f.itemMedianSec}s/item${f.itemTimes ? ', item times' : ''}${f.freeText ? ', free text' : ''})`).join('; ')}`);
        console.log(`stream: ${stream.items.length} submissions over ${scenario.days} days, ${r.honestAll.n} honest, ${scenario.perKind} per anomaly kind, ${scenario.benign} benign look-alikes`);
        printFp(r);
        printRecall(r);
        printPrecision(r);
      }
      if (keep && r.lines) {
        const same = await cliEquivalence(scenario, seed, r.lines);
        console.log(`\nCLI equivalence: the same stream as JSON Lines through \`watchpost assess\`'s stream handler gives ${same ? 'byte-identical verdicts' : 'DIFFERENT verdicts'} (${r.lines.length} lines).`);
      }
    }
    printSummary(scenario.name, summarise(results), seeds);

    const speedRows: SpeedPoisoningResult[] = [];
    const patternRows: PatternPoisoningResult[] = [];
    const stream = generateStream(scenario, seeds[0]);
    const pickForms = stream.forms.filter((f) => f.spec.items >= 8).slice(0, quick ? 1 : 3);
    for (const form of pickForms) {
      speedRows.push(await runSpeedPoisoning(form, scenario.population, seeds[0], true));
      if (!quick) speedRows.push(await runSpeedPoisoning(form, scenario.population, seeds[0], false));
    }
    printSpeedPoisoning(speedRows);
    const rareForm = stream.forms.find((f) => f.spec.kind === 'likert' && f.spec.items >= 10);
    if (rareForm) {
      patternRows.push(await runPatternPoisoning(rareForm, scenario.population, seeds[0], true));
      if (!quick) patternRows.push(await runPatternPoisoning(rareForm, scenario.population, seeds[0], false));
      printPatternPoisoning(patternRows);
    }
  }
  console.log(`\n(done in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
