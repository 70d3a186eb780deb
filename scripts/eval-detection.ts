/**
 * `npm run eval:detection`: runs the injection detector over the labelled corpus
 * (`../shared/corpus/values.jsonl`) and prints, per label and overall, the share flagged,
 * for a fixed seeded split: the "dev" half (used while developing the rules) and the
 * "report" half (the figures to quote). Also: path recall without the generated dotdotpwn
 * list, NoSQL recall on the parsed form of query strings and JSON, and the false-positive
 * rate on the extra benign set of spec/detection/fixtures (text that is not in the corpus).
 *
 * Options:
 *   --paranoia N      paranoia level (default: the detector's default)
 *   --levels          one summary line per paranoia level 1-4
 *   --show N          print up to N misses and N false positives of the dev half
 *   --show-report     with --show: print those of the report half instead
 *   --corpus PATH     another corpus file (same JSON Lines format)
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInjectionDetector } from '../lib/detection';
import type { InjectionDetector } from '../lib/detection';
import type { ScanVerdict } from '../lib/core/types';

const ROOT = path.resolve(__dirname, '..', '..');
const SPLIT_SEED = 'watchpost-split-2024';
const LABELS = ['sqli', 'xss', 'cmdi', 'path', 'nosqli', 'benign'] as const;
const TARGETS: Record<string, string> = {
  sqli: '>= 0.97', xss: '>= 0.97', cmdi: '>= 0.95', path: '>= 0.95', nosqli: '>= 0.90', benign: '<= 0.001',
};

interface Row {
  readonly label: string;
  readonly value: string;
  readonly source: string;
  /** Extra benign set only: where the value would sit in a request (default 'text'). */
  readonly location?: string;
}

/** FNV-1a (32 bits) of the seed and the value: the fixed split. */
export function splitHalf(value: string): 'dev' | 'report' {
  const s = SPLIT_SEED + value;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h & 1) === 0 ? 'dev' : 'report';
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function loadJsonl(file: string): Row[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Row);
}

/** A small qs-style parser (`a[b][]=c&d=e`), enough to build the object Express would hand over. */
function parseQueryString(s: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const part of s.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawVal = eq < 0 ? '' : part.slice(eq + 1);
    const dec = (x: string): string => {
      try {
        return decodeURIComponent(x.replace(/\+/g, ' '));
      } catch {
        return x;
      }
    };
    const segs: string[] = [];
    const first = rawKey.indexOf('[');
    segs.push(dec(first < 0 ? rawKey : rawKey.slice(0, first)));
    const re = /\[([^\]]{0,100})\]/g;
    if (first >= 0) for (const m of rawKey.slice(first).matchAll(re)) segs.push(dec(m[1]));
    let cur: Record<string, unknown> = root;
    for (let i = 0; i < segs.length; i++) {
      const k = segs[i] === '' ? String(Object.keys(cur).length) : segs[i];
      if (i === segs.length - 1) cur[k] = dec(rawVal);
      else {
        if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
        cur = cur[k] as Record<string, unknown>;
      }
    }
  }
  return root;
}

/** The form a value takes once Express has parsed it: an object for JSON and query strings. */
function parsedForm(value: string): unknown {
  const t = value.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return undefined;
    }
  }
  if (/^[\w.]{1,40}\[[^\]]{0,40}\]/.test(t) && t.indexOf(' ') < 0) return parseQueryString(t);
  return undefined;
}

interface Tally {
  n: number;
  flagged: number;
  kindRight: number;
}

function tally(): Tally {
  return { n: 0, flagged: 0, kindRight: 0 };
}

function pct(t: Tally): string {
  return t.n === 0 ? '   -   ' : (t.flagged / t.n).toFixed(4);
}

function evaluate(detector: InjectionDetector, rows: readonly Row[], extra: readonly Row[], show: number, showHalf: 'dev' | 'report'): void {
  const halves = { dev: new Map<string, Tally>(), report: new Map<string, Tally>() };
  const extraT = tally();
  const misses: string[] = [];
  const fps: string[] = [];
  const t0 = performance.now();
  for (const r of rows) {
    const half = splitHalf(r.value);
    const v = detector.scanValue(r.value, 'text');
    const keys = [r.label];
    if (r.label === 'path') keys.push(r.source.includes('dotdotpwn') ? 'path (dotdotpwn)' : 'path (other sources)');
    for (const k of keys) {
      const t = halves[half].get(k) ?? tally();
      halves[half].set(k, t);
      t.n++;
      if (v.attack) t.flagged++;
      if (v.kinds.includes(r.label as never)) t.kindRight++;
    }
    if (r.label !== 'benign') {
      const all = halves[half].get('all attacks') ?? tally();
      halves[half].set('all attacks', all);
      all.n++;
      if (v.attack) all.flagged++;
    }
    if (r.label === 'nosqli') {
      const parsed = parsedForm(r.value);
      const t = halves[half].get('nosqli (parsed form)') ?? tally();
      halves[half].set('nosqli (parsed form)', t);
      t.n++;
      const pv: ScanVerdict = parsed === undefined ? v : detector.scanObject(parsed, 'query');
      if (pv.attack) t.flagged++;
    }
    if (half === showHalf && show > 0) {
      if (r.label !== 'benign' && !v.attack && misses.length < show) misses.push(`MISS ${r.label.padEnd(6)} score=${v.score} ${JSON.stringify(r.value).slice(0, 140)}`);
      if (r.label === 'benign' && v.attack && fps.length < show) {
        fps.push(`FP   ${v.findings.map((f) => `${f.ruleId}:${f.score}`).join(',')} ${JSON.stringify(r.value).slice(0, 200)}`);
      }
    }
  }
  const elapsed = performance.now() - t0;
  for (const r of extra) {
    const v = detector.scanValue(r.value, (r.location ?? 'text') as never);
    extraT.n++;
    if (v.attack) {
      extraT.flagged++;
      if (show > 0 && fps.length < show * 2) fps.push(`FP (extra benign) ${v.findings.map((f) => `${f.ruleId}:${f.score}`).join(',')} ${JSON.stringify(r.value).slice(0, 200)}`);
    }
  }

  console.log(`paranoia ${detector.paranoia}; split: FNV-1a("${SPLIT_SEED}" + value) even = dev, odd = report`);
  console.log('');
  console.log(`${'label'.padEnd(24)} ${'dev n'.padStart(6)} ${'dev flagged'.padStart(11)} ${'report n'.padStart(8)} ${'report flagged'.padStart(14)} ${'(kind right)'.padStart(12)}  target`);
  const order = [...LABELS.filter((l) => l !== 'benign'), 'path (other sources)', 'path (dotdotpwn)', 'nosqli (parsed form)', 'all attacks', 'benign'];
  for (const k of order) {
    const d = halves.dev.get(k) ?? tally();
    const r = halves.report.get(k) ?? tally();
    const kr = r.n === 0 || k.startsWith('all') || k.includes('parsed') ? '' : (r.kindRight / r.n).toFixed(4);
    const label = k === 'benign' ? 'benign (false positives)' : k;
    console.log(`${label.padEnd(24)} ${String(d.n).padStart(6)} ${pct(d).padStart(11)} ${String(r.n).padStart(8)} ${pct(r).padStart(14)} ${kr.padStart(12)}  ${TARGETS[k] ?? ''}`);
  }
  const bd = halves.dev.get('benign') ?? tally();
  const br = halves.report.get('benign') ?? tally();
  console.log('');
  console.log(`benign false positives: dev ${bd.flagged}/${bd.n} = ${((100 * bd.flagged) / Math.max(1, bd.n)).toFixed(3)}%, report ${br.flagged}/${br.n} = ${((100 * br.flagged) / Math.max(1, br.n)).toFixed(3)}%`);
  console.log(`extra benign set (not in the corpus): ${extraT.flagged}/${extraT.n} = ${((100 * extraT.flagged) / Math.max(1, extraT.n)).toFixed(3)}% flagged`);
  console.log(`(${rows.length} corpus values in ${elapsed.toFixed(0)} ms, ${Math.round(rows.length / (elapsed / 1000))} values/s including the parsed-form pass; see npm run bench for throughput)`);
  if (show > 0) {
    console.log('');
    console.log(`--- ${showHalf} half: first ${show} misses and false positives ---`);
    for (const m of misses) console.log(m);
    for (const f of fps) console.log(f);
  }
}

function main(): void {
  const corpus = arg('--corpus') ?? path.join(ROOT, '..', 'shared', 'corpus', 'values.jsonl');
  if (!fs.existsSync(corpus)) {
    console.error(`eval-detection: corpus not found at ${corpus}; pass --corpus PATH.`);
    process.exitCode = 1;
    return;
  }
  const rows = loadJsonl(corpus);
  const extraFile = path.join(ROOT, 'spec', 'detection', 'fixtures', 'extra-benign.jsonl');
  const extra = fs.existsSync(extraFile) ? loadJsonl(extraFile) : [];
  const show = Number(arg('--show') ?? 0);
  const showHalf = process.argv.includes('--show-report') ? 'report' : 'dev';
  if (process.argv.includes('--levels')) {
    for (const p of [1, 2, 3, 4] as const) {
      const d = createInjectionDetector({ paranoia: p });
      const per: Record<string, Tally> = {};
      let extraFp = 0;
      for (const r of rows) {
        if (splitHalf(r.value) !== 'report') continue;
        const t = (per[r.label] ??= tally());
        t.n++;
        if (d.scanValue(r.value, 'text').attack) t.flagged++;
      }
      for (const r of extra) if (d.scanValue(r.value, (r.location ?? 'text') as never).attack) extraFp++;
      console.log(`paranoia ${p} (report half): ${LABELS.map((l) => `${l} ${pct(per[l] ?? tally())}`).join('  ')}  extra-benign FP ${((100 * extraFp) / Math.max(1, extra.length)).toFixed(2)}%`);
    }
    return;
  }
  const paranoia = arg('--paranoia');
  const detector = createInjectionDetector(paranoia ? { paranoia: Number(paranoia) as 1 | 2 | 3 | 4 } : {});
  evaluate(detector, rows, extra, show, showHalf);
}

main();
