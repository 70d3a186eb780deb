import { PassThrough, Readable } from 'node:stream';
import { assert } from '../helpers/counted-assert';
import { main } from '../../lib/cli';
import { MAX_LINE_LENGTH } from '../../lib/cli/assess';
import { AssessmentAnalyzer } from '../../lib/core/assessment-analyzer';
import { parseAssessmentAnomalyOptions } from '../../lib/core/assessment-config';
import { MemoryBaselineStore } from '../../lib/stores/memory-baseline-store';
import { T0, VARIED_12, answers, normal, seeded } from '../helpers/assessment-fixtures';

interface Run {
  code: number;
  lines: unknown[];
  raw: string;
  stderr: string;
}

async function run(input: string | string[], args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const stdin = Readable.from(Array.isArray(input) ? input : [input]);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let raw = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (raw += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await main(['assess', ...args], { stdin, stdout, stderr, env });
  const lines = raw.length && !args.includes('--help') ? raw.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown) : [];
  return { code, lines, raw, stderr: err };
}

function line(i: number, over: Record<string, unknown> = {}, u = seeded(i)): string {
  const perItem = Math.exp(Math.log(10) + 0.3 * normal(u));
  return JSON.stringify({
    user: `u${i}`,
    type: 'quiz',
    completion_time: Math.round(perItem * 120) / 10,
    responses: answers(VARIED_12),
    score: 60,
    submitted_at: new Date(T0 + i * 60_000).toISOString(),
    ...over,
  });
}

type Verdict = { anomalous: boolean; anomalies: { type: string; severity: string; details: Record<string, unknown> }[]; baseline: { n: number; coldStart: boolean } };

describe('cli: watchpost assess', () => {
  it('writes one verdict line per submission, in the SPEC shape, and exits 0', async () => {
    const r = await run([line(1), '\n', line(2, { completion_time: 2 }), '\n']);
    assert.equal(r.code, 0);
    assert.equal(r.lines.length, 2);
    const [ok, fast] = r.lines as Verdict[];
    assert.deepEqual({ anomalous: ok.anomalous, anomalies: ok.anomalies }, { anomalous: false, anomalies: [] });
    assert.equal(fast.anomalous, true);
    assert.equal(fast.anomalies[0].type, 'too_fast');
    assert.ok(fast.anomalies[0].details.observed);
  });

  it('learns baselines from the stream as it goes', async () => {
    const input = Array.from({ length: 45 }, (_, i) => `${line(i)}\n`);
    input.push(`${line(99, { completion_time: 25 })}\n`);
    const r = await run(input);
    const last = r.lines[r.lines.length - 1] as Verdict;
    assert.equal(last.baseline.coldStart, false);
    assert.deepEqual(last.anomalies.map((a) => a.type), ['too_fast']);
    // The same 25 s submission at the start of a stream (cold) is not flagged.
    const cold = (await run(`${line(99, { completion_time: 25 })}\n`)).lines[0] as Verdict;
    assert.equal(cold.anomalous, false);
  });

  it('a malformed line gets {"error"} on its line and the run goes on', async () => {
    const bad = [
      'not json',
      '[1,2]',
      '"a string"',
      JSON.stringify({ type: 'quiz', completion_time: 1, responses: {}, submitted_at: '2025-01-01T00:00:00Z' }),
      JSON.stringify({ user: 'u', completion_time: 1, responses: {}, submitted_at: '2025-01-01T00:00:00Z' }),
      JSON.stringify({ user: 'u', type: 'quiz', completion_time: 'twelve', responses: {}, submitted_at: '2025-01-01T00:00:00Z' }),
      JSON.stringify({ user: 'u', type: 'quiz', completion_time: 12, responses: 'yes', submitted_at: '2025-01-01T00:00:00Z' }),
      JSON.stringify({ user: 'u', type: 'quiz', completion_time: 12, responses: {}, submitted_at: 'yesterday' }),
      JSON.stringify({ user: 'u', type: 'quiz', completion_time: 12, responses: {}, score: 'A+', submitted_at: '2025-01-01T00:00:00Z' }),
      JSON.stringify({ user: 'u', type: 'quiz', completion_time: 12, responses: {}, submitted_at: '2025-01-01T00:00:00Z', item_times: [1, 2] }),
    ];
    const r = await run(`${bad.join('\n')}\n${line(1)}\n`);
    assert.equal(r.code, 0);
    assert.equal(r.lines.length, bad.length + 1);
    for (let i = 0; i < bad.length; i++) assert.match(String((r.lines[i] as { error?: string }).error), new RegExp(`^line ${i + 1}: `));
    assert.match(String((r.lines[0] as { error: string }).error), /invalid JSON/);
    assert.match(String((r.lines[3] as { error: string }).error), /"user"/);
    assert.match(String((r.lines[7] as { error: string }).error), /submitted_at/);
    assert.equal((r.lines[bad.length] as Verdict).anomalous, false);
  });

  it('odd values are verdicts, not errors: negative time, nested answers, non-string answers, huge forms', async () => {
    const huge: Record<string, number> = {};
    const u = seeded(77);
    for (let i = 0; i < 5000; i++) huge[`q${i}`] = 1 + Math.floor(u() * 5);
    const r = await run(
      [
        line(1, { completion_time: -3 }),
        line(2, { responses: { q1: { nested: { deeper: ['<script>x</script>'] } }, q2: null, q3: true, q4: 7 } }),
        line(3, { responses: huge, completion_time: 50000 }),
        line(4, { user: 12345, item_times: { q1: 'x', q2: -1 } }),
      ].join('\n'),
    );
    const types = (r.lines as Verdict[]).map((v) => v.anomalies.map((a) => a.type));
    assert.ok(types[0].includes('invalid_submission'));
    assert.ok(types[1].includes('injection'));
    assert.deepEqual(types[2], ['scan_incomplete']); // more items than maxItems: reported, bounded
    assert.equal((r.lines[2] as Verdict).anomalies[0].severity, 'INFO');
    assert.ok(types[3].includes('invalid_submission'));
  });

  it('blank lines are skipped, CRLF and a missing final newline are fine, UTF-8 split across chunks is fine', async () => {
    const text = `${line(1, { responses: { q1: 'Seán', q2: 'café' } })}\r\n\n   \n${line(2)}`;
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(Buffer.from('é')) + 1; // split inside a multi-byte character
    const r = await run([bytes.subarray(0, cut), bytes.subarray(cut)] as unknown as string[]);
    assert.equal(r.lines.length, 2);
    assert.ok((r.lines as Verdict[]).every((v) => typeof v.anomalous === 'boolean'));
  });

  it('a line longer than the limit gets an error and memory stays bounded', async () => {
    const long = `{"user":"u","junk":"${'x'.repeat(MAX_LINE_LENGTH + 10)}"}`;
    const chunks = [long.slice(0, 400_000), long.slice(400_000, 900_000), long.slice(900_000), `\n${line(1)}\n`];
    const r = await run(chunks);
    assert.equal(r.lines.length, 2);
    assert.match(String((r.lines[0] as { error: string }).error), /^line 1: longer than/);
    assert.equal((r.lines[1] as Verdict).anomalous, false);
  });

  it('options as flags and seed environment variables; flags win; bad ones exit 2 naming them', async () => {
    const fastish = `${Array.from({ length: 45 }, (_, i) => line(i)).join('\n')}\n${line(99, { completion_time: 35 })}\n`;
    const lastTypes = (r: Run) => (r.lines[r.lines.length - 1] as Verdict).anomalies.map((a) => a.type);
    assert.deepEqual(lastTypes(await run(fastish)), []);
    assert.deepEqual(lastTypes(await run(fastish, ['--completion-time-share', '0.5', '--robust-z=2'])), ['too_fast']);
    assert.deepEqual(lastTypes(await run(fastish, [], { COMPLETION_TIME_THRESHOLD: '0.5', ANOMALY_THRESHOLD: '2' })), ['too_fast']);
    assert.deepEqual(lastTypes(await run(fastish, ['--robust-z', '3.5'], { COMPLETION_TIME_THRESHOLD: '0.5', ANOMALY_THRESHOLD: '2' })), []);

    const badEnv = await run('', [], { ANOMALY_THRESHOLD: 'lots' });
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /ANOMALY_THRESHOLD "lots" is not valid/);
    const badFlag = await run('', ['--robustz', '3']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /unknown option "--robustz"/);
    const noValue = await run('', ['--robust-z']);
    assert.equal(noValue.code, 2);
  });

  it('--help lists the options with their environment variables and defaults', async () => {
    const r = await run('', ['--help']);
    assert.equal(r.code, 0);
    assert.match(r.raw, /--baseline-window-days <v>\s+ANOMALY_BASELINE_WINDOW\s+7/);
    assert.match(r.raw, /COMPLETION_TIME_THRESHOLD/);
  });

  it('gives exactly what the analyzer (the middleware path) gives on the same submissions', async () => {
    const input = Array.from({ length: 80 }, (_, i) =>
      line(i, i % 9 === 0 ? { completion_time: 12 } : i % 13 === 0 ? { responses: answers(Array(12).fill(2)) } : i % 17 === 0 ? { responses: { q1: "1' OR '1'='1" } } : {}),
    );
    const viaCli = await run(`${input.join('\n')}\n`);
    const a = new AssessmentAnalyzer({ store: new MemoryBaselineStore(), config: parseAssessmentAnomalyOptions({}) });
    const direct: string[] = [];
    for (const l of input) {
      const o = JSON.parse(l) as Record<string, unknown>;
      direct.push(
        JSON.stringify(
          await a.analyze({
            user: o.user as string,
            type: o.type as string,
            completionTimeSec: o.completion_time as number,
            responses: o.responses as Record<string, unknown>,
            score: o.score as number,
            submittedAt: new Date(o.submitted_at as string),
          }),
        ),
      );
    }
    assert.equal(viaCli.raw, `${direct.join('\n')}\n`);
    assert.ok((viaCli.lines as Verdict[]).some((v) => v.anomalous));
  });

  it('respects backpressure: a slow reader never sees more than the stream buffers', async () => {
    const input = Readable.from(Array.from({ length: 300 }, (_, i) => `${line(i)}\n`));
    const stdout = new PassThrough({ highWaterMark: 256 });
    let maxBuffered = 0;
    let count = 0;
    const reading = (async () => {
      for await (const chunk of stdout) {
        count += String(chunk).split('\n').length - 1;
        maxBuffered = Math.max(maxBuffered, stdout.readableLength);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const code = await main(['assess'], { stdin: input, stdout, stderr: new PassThrough(), env: {} });
    stdout.end();
    await reading;
    assert.equal(code, 0);
    assert.equal(count, 300);
    assert.ok(maxBuffered < 64 * 1024, `buffered ${maxBuffered}`);
  });
});
