/**
 * `npm run simulate`: sends a bounded mix of ordinary and attack traffic to a running sample
 * app, for demos. The sample app trusts a proxy on loopback, so clients are told apart by
 * X-Forwarded-For (documentation ranges only).
 *
 *   npm run simulate -- --url http://localhost:3000 --requests 300 --seconds 30 --seed 7
 */

import { seeded } from '../lib/core/seeded-random';

interface Args {
  url: string;
  requests: number;
  seconds: number;
  seed: number;
}

function parseArgs(argv: readonly string[]): Args {
  const out: Args = { url: process.env.SIMULATE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`, requests: 300, seconds: 30, seed: 7 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--url') out.url = value;
    else if (flag === '--requests') out.requests = Math.min(10_000, Math.max(1, Number(value)));
    else if (flag === '--seconds') out.seconds = Math.min(600, Math.max(1, Number(value)));
    else if (flag === '--seed') out.seed = Number(value);
    else throw new Error(`unknown option ${flag}`);
  }
  if (!Number.isFinite(out.requests) || !Number.isFinite(out.seconds)) throw new Error('--requests and --seconds take numbers');
  return out;
}


type Step = { kind: string; method: 'GET' | 'POST'; path: string; body?: unknown; ip: string };

const SEARCHES = ['notebook', "O'Brien", 'tea', 'Rock & Roll', 'union station', 'select a size', 'poster', 'map'];
const ATTACKS: ReadonlyArray<Omit<Step, 'ip'>> = [
  { kind: 'sqli', method: 'GET', path: `/api/items?q=${encodeURIComponent("' OR '1'='1' --")}` },
  { kind: 'sqli', method: 'GET', path: `/api/items?q=${encodeURIComponent('1 UNION SELECT username, password FROM users')}` },
  { kind: 'xss', method: 'GET', path: `/api/items?q=${encodeURIComponent('<img src=x onerror=alert(document.cookie)>')}` },
  { kind: 'path', method: 'GET', path: '/api/items/..%2f..%2f..%2fetc%2fpasswd' },
  { kind: 'nosqli', method: 'POST', path: '/api/auth/login', body: { username: { $ne: null }, password: { $ne: null } } },
  { kind: 'cmdi', method: 'GET', path: `/api/items?q=${encodeURIComponent('shirt; cat /etc/passwd')}` },
];

function plan(args: Args): Step[] {
  const r = seeded(args.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const ordinary = Array.from({ length: 40 }, (_, i) => `203.0.113.${10 + i}`);
  const attacker = '198.51.100.66';
  const steps: Step[] = [];
  for (let i = 0; i < args.requests; i += 1) {
    const x = r();
    if (x < 0.5) steps.push({ kind: 'search', method: 'GET', path: `/api/items?q=${encodeURIComponent(pick(SEARCHES))}`, ip: pick(ordinary) });
    else if (x < 0.6) steps.push({ kind: 'login-ok', method: 'POST', path: '/api/auth/login', body: { username: 'demo@example.com', password: 'correct horse battery staple' }, ip: pick(ordinary) });
    else if (x < 0.68) steps.push({ kind: 'login-typo', method: 'POST', path: '/api/auth/login', body: { username: 'demo@example.com', password: 'correct horse battery stapel' }, ip: pick(ordinary) });
    else if (x < 0.78) steps.push({ kind: 'brute-force', method: 'POST', path: '/api/auth/login', body: { username: `user${Math.floor(r() * 50)}@example.com`, password: 'Summer2026!' }, ip: '192.0.2.200' });
    else if (x < 0.88) {
      const n = 12;
      const quick = r() < 0.5;
      steps.push({
        kind: quick ? 'assessment-rushed' : 'assessment',
        method: 'POST',
        path: '/api/assessments/submit',
        body: {
          user: `student${Math.floor(r() * 30)}`,
          type: 'ai_job_risk',
          completion_time: quick ? 6 : 120 + Math.floor(r() * 300),
          responses: Object.fromEntries(Array.from({ length: n }, (_, k) => [`q${k + 1}`, quick ? 'a' : pick(['a', 'b', 'c', 'd'])])),
          score: quick ? 100 : 40 + Math.floor(r() * 50),
          submitted_at: new Date().toISOString(),
        },
        ip: pick(ordinary),
      });
    } else steps.push({ ...pick(ATTACKS), ip: attacker });
  }
  return steps;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const steps = plan(args);
  const gapMs = (args.seconds * 1000) / steps.length;
  const tally = new Map<string, Map<number, number>>();
  const deadline = Date.now() + args.seconds * 1000 + 10_000;
  console.log(`simulate: ${steps.length} requests to ${args.url} over about ${args.seconds} s (seed ${args.seed})`);
  for (const step of steps) {
    if (Date.now() > deadline) break;
    let status = 0;
    try {
      const res = await fetch(`${args.url}${step.path}`, {
        method: step.method,
        headers: { 'content-type': 'application/json', 'x-forwarded-for': step.ip, 'user-agent': 'watchpost-simulate/1.0' },
        body: step.body === undefined ? undefined : JSON.stringify(step.body),
        signal: AbortSignal.timeout(5000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = -1;
    }
    const byStatus = tally.get(step.kind) ?? new Map<number, number>();
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    tally.set(step.kind, byStatus);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  console.log('kind                 responses (status x count)');
  for (const [kind, byStatus] of [...tally].sort()) {
    console.log(`${kind.padEnd(20)} ${[...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s === -1 ? 'error' : s} x${n}`).join(', ')}`);
  }
}

main().catch((err: unknown) => {
  console.error(`simulate: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
