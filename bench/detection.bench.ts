/**
 * Injection detection benchmark (`npm run bench -- detection`). Prints:
 * - values per second on one core over the corpus mix (../shared/corpus/values.jsonl, or
 *   the extra benign fixture when the corpus is absent), median of several runs;
 * - MB/s on long benign text (64 KB values);
 * - the 1 MB and 2 MB timings of the adversarial families of checklist C.2 and others,
 *   with the 2 MB / 1 MB ratio.
 * Times are CPU time of this process (process.cpuUsage), which is steadier than wall time
 * on a shared machine; wall time is printed for the throughput figure too. No forced GC
 * between runs: a forced full collection halves the throughput that follows it, which is
 * not what a server sees.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInjectionDetector } from '../lib/detection';
import { median } from './median';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);


function cpuMs(fn: () => void): { cpu: number; wall: number } {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 };
}

function loadValues(): { values: string[]; source: string } {
  const corpus = path.join(ROOT, '..', 'shared', 'corpus', 'values.jsonl');
  const file = fs.existsSync(corpus) ? corpus : path.join(ROOT, 'spec', 'detection', 'fixtures', 'extra-benign.jsonl');
  const values = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => (JSON.parse(l) as { value: string }).value);
  return { values, source: path.relative(process.cwd(), file) };
}

function throughput(): void {
  const { values, source } = loadValues();
  const bytes = values.reduce((a, v) => a + Buffer.byteLength(v), 0);
  const d = createInjectionDetector();
  for (let k = 0; k < 4; k++) for (const v of values) d.scanValue(v); // warm up the JIT (steady state)
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = cpuMs(() => {
      for (const v of values) d.scanValue(v);
    });
    cpu.push(t.cpu);
    wall.push(t.wall);
  }
  const m = median(cpu);
  console.log(`corpus mix: ${values.length} values, ${(bytes / 1e6).toFixed(1)} MB, from ${source}`);
  console.log(`  values/s (CPU time, median of ${RUNS}): ${Math.round(values.length / (m / 1000)).toLocaleString('en-US')}` +
    `   [runs: ${cpu.map((x) => Math.round(values.length / (x / 1000))).join(', ')}]`);
  console.log(`  values/s (wall time, median of ${RUNS}): ${Math.round(values.length / (median(wall) / 1000)).toLocaleString('en-US')}`);
  console.log(`  target >= 300,000 values/s on one core`);
}

function longText(): void {
  const { values } = loadValues();
  // Benign prose joined into 64 KB values (what a long textarea or a document body looks like).
  const prose = values.filter((v) => /^[\x20-\x7e\n\t]+$/.test(v) && v.length > 40 && !/[<>`$]/.test(v)).join('\n');
  const chunk = 64 * 1024;
  const docs: string[] = [];
  for (let i = 0; i + chunk <= prose.length && docs.length < 64; i += chunk) docs.push(prose.slice(i, i + chunk));
  if (docs.length === 0) docs.push('The quick brown fox jumps over the lazy dog. '.repeat(1500));
  const d = createInjectionDetector();
  for (const doc of docs) d.scanValue(doc);
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    times.push(cpuMs(() => {
      for (const doc of docs) d.scanValue(doc);
    }).cpu);
  }
  const mb = (docs.length * chunk) / (1024 * 1024);
  console.log(`long benign text: ${docs.length} values of 64 KB`);
  console.log(`  MB/s (CPU time, median of ${RUNS}): ${(mb / (median(times) / 1000)).toFixed(1)}`);
}

const FAMILIES: Record<string, (n: number) => string> = {
  "C.2 'a'*n+'!'": (n) => 'a'.repeat(n - 1) + '!',
  "C.2 '/*'*n": (n) => '/*'.repeat(n / 2),
  "C.2 \"'--\"*n": (n) => "'--".repeat(Math.floor(n / 3)),
  "C.2 '<a '*n+'='": (n) => '<a '.repeat(Math.floor(n / 3)) + '=',
  "'\"'*n (quotes that parse)": (n) => `"'`.repeat(n / 2),
  "'(' * n": (n) => '('.repeat(n),
  "' or 1=1' * n": (n) => ' or 1=1'.repeat(Math.floor(n / 8)),
  "'%25' * n": (n) => '%25'.repeat(Math.floor(n / 3)),
  "'%c0%ae' * n": (n) => '%c0%ae'.repeat(Math.floor(n / 6)),
  "'../' * n": (n) => '../'.repeat(Math.floor(n / 3)),
  "';id' * n": (n) => ';id'.repeat(Math.floor(n / 3)),
  "'$(' * n": (n) => '$('.repeat(n / 2),
  "'${' * n": (n) => '${'.repeat(n / 2),
  "'&lt' * n": (n) => '&lt'.repeat(Math.floor(n / 3)),
  "'\\u' * n": (n) => '\\u'.repeat(n / 2),
  "'javascript:' * n": (n) => 'javascript:'.repeat(Math.floor(n / 11)),
  "'](' * n": (n) => ']('.repeat(n / 2),
  "'[$ne]' * n": (n) => '[$ne]'.repeat(Math.floor(n / 5)),
  "'etc/passwd' * n": (n) => 'etc/passwd'.repeat(Math.floor(n / 10)),
  "'un/**/ion ' * n": (n) => 'un/**/ion '.repeat(Math.floor(n / 10)),
  "fullwidth '＜ｓ' * n": (n) => '＜ｓ'.repeat(n / 2),
  "'¼¾' * n (charset trick)": (n) => '¼¾'.repeat(n / 2),
  "NUL * n": (n) => '\u0000'.repeat(n),
};

function adversarial(): void {
  const MB = 1024 * 1024;
  const d = createInjectionDetector({ limits: { maxValueBytes: 8 * MB, maxTotalBytes: 32 * MB } });
  const reps = 5;
  console.log(`adversarial values (CPU ms, median of ${reps}; limits raised so that 2 MB is scanned whole):`);
  console.log(`  ${'family'.padEnd(30)} ${'1 MB'.padStart(8)} ${'2 MB'.padStart(8)}  ratio`);
  let worst = 0;
  let worstRatio = 0;
  for (const [name, make] of Object.entries(FAMILIES)) {
    const one = make(MB);
    const two = make(2 * MB);
    d.scanValue(one.slice(0, 4096));
    const t1: number[] = [];
    const t2: number[] = [];
    for (let r = 0; r < reps; r++) {
      t1.push(cpuMs(() => d.scanValue(one)).cpu);
      t2.push(cpuMs(() => d.scanValue(two)).cpu);
    }
    const a = median(t1);
    const b = median(t2);
    worst = Math.max(worst, a);
    worstRatio = Math.max(worstRatio, b / a);
    console.log(`  ${name.padEnd(30)} ${a.toFixed(1).padStart(8)} ${b.toFixed(1).padStart(8)}  ${(b / a).toFixed(2)}`);
  }
  console.log(`  worst 1 MB: ${worst.toFixed(1)} ms (target <= 100), worst 2 MB / 1 MB: ${worstRatio.toFixed(2)} (target <= 2.5)`);
}

console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (figures are noisy on a shared machine)`);
throughput();
longText();
adversarial();
