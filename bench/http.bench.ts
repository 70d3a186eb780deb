/**
 * Request-side benchmark over loopback: requests per second and server CPU µs per request
 * for three routes, with the full wp.middleware() against bare Express (and against helmet +
 * express-rate-limit alone, for reference), in the same run, with autocannon. Each server
 * runs in its own process; the three are measured in turns, round after round. Added CPU is
 * taken within each round and the median of the rounds is printed (with their range), so that
 * a noisy neighbour does not decide the figures.
 * Targets: watchpost adds <= 85 µs of server CPU per request on the GET and the login, and
 * <= 100 µs on the 2 KB assessment POST.
 *   BENCH_SECONDS (default 5) per measurement, BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (default 16),
 *   BENCH_WARMUP (seconds of load per server and route before the rounds; default 6),
 *   BENCH_RATE (requests/s per server; default 0: as fast as the server answers), BENCH_PIN=0 (no CPU pinning),
 *   BENCH_COMPARE=<another build's dist folder> (its watchpost server measured in the same turns).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { MODES, SCENARIOS, type Mode, type Scenario } from './http-app';
import { median } from './median';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/**
 * Seconds of load each server takes on a route before its rounds. V8 optimises a function once
 * it has run often enough, so code that runs once per batch (the event and baseline writers)
 * or once per request in a long chain is still being compiled seconds into a run: after 2 s of
 * warm-up the watchpost server's first 5-s round carried about 170 optimisations and 30 µs of
 * CPU per request more than the next ones (10-20 optimisations each). The figures are meant for
 * a server that has been running for a while.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
/** Requests per second sent to each server; 0 (default) sends as fast as the server answers. */
const RATE = Number(process.env.BENCH_RATE ?? 0);
/**
 * The `dist` folder of another build of watchpost (another checkout, built): its watchpost
 * server is measured too, in the same turns, so that two builds are compared under the same
 * load. On a noisy machine this is far steadier than comparing two runs.
 */
const COMPARE = process.env.BENCH_COMPARE;

/** A server measured: one of the three apps, or the compared build's watchpost app. */
type Label = Mode | 'compare';
const LABELS: readonly Label[] = COMPARE ? [...MODES, 'compare'] : MODES;

/**
 * With two or more cores and `taskset` (Linux), the servers run on the last core and the load
 * tool on the others, so that the two never compete for one core: CPU per request is then the
 * server's own work, not the cost of being preempted by the load tool. BENCH_PIN=0 turns it off.
 */
function pinning(): { serverCpu: string; loadCpus: string } | undefined {
  const cores = os.cpus().length;
  if (process.env.BENCH_PIN === '0' || process.platform !== 'linux' || cores < 2) return undefined;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', `0-${cores - 2}`, String(process.pid)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { serverCpu: String(cores - 1), loadCpus: `0-${cores - 2}` };
}
const PIN = pinning();

function startServer(label: Label): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const script = label === 'compare' ? path.resolve(COMPARE as string, 'bench', 'http-server.js') : path.join(__dirname, 'http-server.js');
    const mode: Mode = label === 'compare' ? 'watchpost' : label;
    const options = { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[] };
    const child = PIN ? fork(script, [mode], { ...options, execPath: 'taskset', execArgv: ['-c', PIN.serverCpu, process.execPath] }) : fork(script, [mode], options);
    child.once('message', (m: unknown) => resolve({ child, port: (m as { port: number }).port }));
    child.once('exit', (code) => reject(new Error(`${label} server (${script}) exited ${code}`)));
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
  const first = s.request(0);
  const r = await autocannon({
    url: `http://127.0.0.1:${port}${first.path}`,
    method: s.method,
    headers: s.method === 'POST' ? { 'content-type': 'application/json' } : {},
    connections: CONNECTIONS,
    duration: seconds,
    ...(RATE > 0 ? { overallRate: RATE } : {}),
    requests: [
      {
        setupRequest: (req: autocannon.Request) => {
          const next = s.request((sent += 1));
          return { ...req, path: next.path, ...(next.body === undefined ? {} : { body: next.body }) };
        },
      },
    ],
  });
  return { rps: r.requests.average, requests: r.requests.total, non2xx: r.non2xx };
}

interface Figures {
  rps: number;
  cpuUs: number;
  non2xx: number;
}

async function main(): Promise<void> {
  console.log(`autocannon, ${CONNECTIONS} connections, ${WARMUP} s of warm-up, ${SECONDS} s per measurement, ${ROUNDS} rounds, each server in its own process${PIN ? `; servers on CPU ${PIN.serverCpu}, load tool on CPU ${PIN.loadCpus}` : ''}`);
  if (COMPARE) console.log(`compared build: ${path.resolve(COMPARE)} (its watchpost server, shown as "compare")`);
  const servers = new Map<Label, { child: ChildProcess; port: number }>();
  for (const label of LABELS) servers.set(label, await startServer(label));
  const results = new Map<string, Figures>();
  /** Each server's figures per round, for differences taken within a round. */
  const perRound = new Map<string, Figures[]>();
  for (const s of SCENARIOS) {
    const rounds = new Map<Label, Figures[]>(LABELS.map((m) => [m, []]));
    for (const mode of LABELS) await load(servers.get(mode)!.port, s, WARMUP); // warm-up
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const mode of LABELS) {
        const { child, port } = servers.get(mode)!;
        const before = await cpu(child);
        const r = await load(port, s, SECONDS);
        const after = await cpu(child);
        rounds.get(mode)!.push({ rps: r.rps, cpuUs: (after - before) / Math.max(1, r.requests), non2xx: r.non2xx });
      }
    }
    for (const mode of LABELS) {
      const xs = rounds.get(mode)!;
      perRound.set(`${s.name}|${mode}`, xs);
      results.set(`${s.name}|${mode}`, { rps: median(xs.map((x) => x.rps)), cpuUs: median(xs.map((x) => x.cpuUs)), non2xx: xs.reduce((a, x) => a + x.non2xx, 0) });
    }
  }
  for (const { child } of servers.values()) {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
  // Added CPU is taken within each round (the servers run back to back, under the same load on
  // the machine), and the median of the rounds is printed, with the range.
  const added = (name: string, mode: Label, over: Label = 'bare'): { median: number; min: number; max: number } => {
    const base = perRound.get(`${name}|${over}`)!;
    const d = perRound.get(`${name}|${mode}`)!.map((x, i) => x.cpuUs - base[i].cpuUs);
    return { median: median(d), min: Math.min(...d), max: Math.max(...d) };
  };
  console.log('\nroute                                   server        req/s   ratio   CPU µs/req   added µs (rounds)');
  for (const s of SCENARIOS) {
    const bare = results.get(`${s.name}|bare`)!;
    for (const mode of LABELS) {
      const x = results.get(`${s.name}|${mode}`)!;
      const a = added(s.name, mode);
      const shown = mode === 'bare' ? '' : `${a.median.toFixed(1).padStart(9)} (${a.min.toFixed(0)}..${a.max.toFixed(0)})`;
      console.log(`${s.name.padEnd(40)}${mode.padEnd(12)}${x.rps.toFixed(0).padStart(8)}  ${(x.rps / bare.rps).toFixed(2).padStart(6)}  ${x.cpuUs.toFixed(1).padStart(11)}  ${shown}${x.non2xx ? `  (${x.non2xx} non-2xx)` : ''}`);
    }
  }
  console.log('\ntargets (watchpost added server CPU µs per request, median of the rounds):');
  for (const s of SCENARIOS) {
    const a = added(s.name, 'watchpost');
    const reference = added(s.name, 'helmet-erl');
    console.log(`  ${s.name}: ${a.median.toFixed(1)} µs (target <= ${s.targetUs}) ${a.median <= s.targetUs ? 'met' : 'MISSED'}; helmet + express-rate-limit alone: ${reference.median.toFixed(1)} µs`);
  }
  if (COMPARE) {
    console.log('\nthis build against the compared one (server CPU µs per request, this minus compared, median of the rounds):');
    for (const s of SCENARIOS) {
      const d = added(s.name, 'watchpost', 'compare');
      console.log(`  ${s.name}: ${d.median >= 0 ? '+' : ''}${d.median.toFixed(1)} µs (${d.min.toFixed(0)}..${d.max.toFixed(0)})`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
