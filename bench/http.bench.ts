/**
 * Request-side benchmark: requests per second and server CPU µs per request for three
 * routes, with the full wp.middleware() against bare Express (and against helmet +
 * express-rate-limit alone, for reference), in the same run, on loopback with autocannon.
 * Target: watchpost adds <= 85 µs of server CPU per request on the GET and the login, and
 * <= 100 µs on the 2 KB assessment POST.
 *   BENCH_SECONDS (default 8) per measurement, BENCH_CONNECTIONS (default 16).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  /** Per-request body (a different user each time), where the route keeps per-user state. */
  readonly bodyFor?: (n: number) => string;
}

const q40 = 'blue notebook for the office desk, ruled';
// Varied Likert answers (no run, no cycle): an ordinary submission, not an anomaly.
const LIKERT = ['strongly agree', 'agree', 'neutral', 'disagree', 'strongly disagree'];
const responses = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`q${i + 1}`, LIKERT[(i * i * 7 + i * 3 + 1) % 5]]));
// A 60-item Likert form with per-item times, a short free-text answer, padded to 2 KB.
const itemTimes = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`q${i + 1}`, 3 + ((i * 7) % 9)]));
const base = { user: 'student-42', type: 'ai_job_risk', completion_time: 412, responses: { ...responses, comment: 'Mostly the reporting side of my job will change.' }, item_times: itemTimes, score: 71, submitted_at: '2026-11-20T10:00:00Z' };
const assessment = JSON.stringify({ ...base, note: 'x'.repeat(Math.max(0, 2048 - JSON.stringify({ ...base, note: '' }).length)) });

const SCENARIOS: Scenario[] = [
  { name: 'GET /api/items?q=<40 chars>', method: 'GET', path: `/api/items?q=${encodeURIComponent(q40)}` },
  { name: 'POST /api/auth/login', method: 'POST', path: '/api/auth/login', body: JSON.stringify({ username: 'demo@example.com', password: 'correct horse battery staple' }) },
  {
    name: `POST /api/assessments/submit (${(assessment.length / 1024).toFixed(1)} KB)`,
    method: 'POST',
    path: '/api/assessments/submit',
    body: assessment,
    // Same size, one user per request, so baselines grow as with real students.
    bodyFor: (n) => assessment.replace('"student-42"', `"s${String(n % 100000).padStart(6, '0')}"`),
  },
];

function startServer(mode: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'http-server.js'), [mode], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('message', (m: unknown) => resolve({ child, port: (m as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited ${code}`)));
  });
}

function cpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      const c = (m as { cpu?: { user: number; system: number } }).cpu;
      if (c) {
        child.off('message', on);
        resolve(c.user + c.system);
      }
    };
    child.on('message', on);
    child.send('cpu');
  });
}

let sent = 0;
async function load(port: number, s: Scenario, seconds: number): Promise<{ rps: number; requests: number; non2xx: number }> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${s.path}`,
    method: s.method,
    body: s.body,
    headers: s.body ? { 'content-type': 'application/json' } : {},
    connections: CONNECTIONS,
    duration: seconds,
    ...(s.bodyFor ? { requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: (s.bodyFor as (n: number) => string)((sent += 1)) }) }] } : {}),
  } as autocannon.Options);
  return { rps: r.requests.average, requests: r.requests.total, non2xx: r.non2xx };
}

async function main(): Promise<void> {
  console.log(`autocannon, ${CONNECTIONS} connections, ${SECONDS} s per measurement, server in its own process`);
  const modes = ['bare', 'helmet-erl', 'watchpost'];
  const results: Record<string, Record<string, { rps: number; cpuUs: number; non2xx: number }>> = {};
  for (const mode of modes) {
    const { child, port } = await startServer(mode);
    results[mode] = {};
    for (const s of SCENARIOS) {
      await load(port, s, 2); // warm-up
      const before = await cpu(child);
      const r = await load(port, s, SECONDS);
      const after = await cpu(child);
      results[mode][s.name] = { rps: r.rps, cpuUs: (after - before) / Math.max(1, r.requests), non2xx: r.non2xx };
    }
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
  console.log('\nroute                                   server        req/s   ratio   CPU µs/req   added µs');
  for (const s of SCENARIOS) {
    const bare = results.bare[s.name];
    for (const mode of modes) {
      const x = results[mode][s.name];
      const added = x.cpuUs - bare.cpuUs;
      console.log(`${s.name.padEnd(40)}${mode.padEnd(12)}${x.rps.toFixed(0).padStart(8)}  ${(x.rps / bare.rps).toFixed(2).padStart(6)}  ${x.cpuUs.toFixed(1).padStart(11)}  ${mode === 'bare' ? '' : added.toFixed(1).padStart(9)}${x.non2xx ? `  (${x.non2xx} non-2xx)` : ''}`);
    }
  }
  const limits: Record<number, number> = { 0: 85, 1: 85, 2: 100 };
  console.log('\ntargets (watchpost added CPU µs per request):');
  SCENARIOS.forEach((s, i) => {
    const added = results.watchpost[s.name].cpuUs - results.bare[s.name].cpuUs;
    console.log(`  ${s.name}: ${added.toFixed(1)} µs (target <= ${limits[i]}) ${added <= limits[i] ? 'met' : 'MISSED'}`);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
