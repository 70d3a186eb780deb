/**
 * `watchpost scan` as SPEC.md describes it: JSON Lines in, one verdict line per input line
 * out, in order; malformed lines get an error line; exit 0; streaming with backpressure.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { assert } from '../helpers/counted-assert';
import { main } from '../../lib/cli';

interface Result {
  readonly code: number;
  readonly lines: Record<string, unknown>[];
  readonly stderr: string;
}

async function scan(input: string | Buffer[], args: string[] = [], stdout?: Writable): Promise<Result> {
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  const sink = stdout ?? new PassThrough();
  if (!stdout) (sink as PassThrough).on('data', (c: Buffer) => (out += c.toString('utf8')));
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const done = main(['scan', ...args], { stdin, stdout: sink, stderr, env: {} });
  if (typeof input === 'string') stdin.end(input);
  else {
    for (const b of input) stdin.write(b);
    stdin.end();
  }
  const code = await done;
  const text = stdout ? (stdout as unknown as { text: string }).text : out;
  const lines = text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines, stderr: err };
}

describe('cli: watchpost scan', () => {
  it('writes one verdict per line, in order, and exits 0', async () => {
    const r = await scan('{"value": "hello"}\n{"value": "\' or 1=1--"}\n{"value": "<script>alert(1)</script>"}\n');
    assert.equal(r.code, 0);
    assert.equal(r.lines.length, 3);
    assert.deepEqual(r.lines[0], { attack: false, kinds: [], score: 0, rules: [] });
    assert.equal(r.lines[1].attack, true);
    assert.deepEqual(r.lines[1].kinds, ['sqli']);
    assert.equal(typeof r.lines[1].score, 'number');
    assert.deepEqual(r.lines[2].kinds, ['xss']);
  });

  it('a malformed line gets an error on its line and the run goes on', async () => {
    const r = await scan('{"value": "a"}\nnot json\n{"nope": 1}\n{"value": 5}\n[1]\n\n{"value": "b", "location": "nowhere"}\n{"value": ";id"}\n');
    assert.equal(r.code, 0);
    assert.equal(r.lines.length, 8);
    assert.equal(r.lines[0].attack, false);
    for (const i of [1, 2, 3, 4, 5, 6]) assert.equal(typeof r.lines[i].error, 'string', JSON.stringify(r.lines[i]));
    assert.match(String(r.lines[1].error), /invalid JSON/);
    assert.match(String(r.lines[3].error), /must be a string/);
    assert.deepEqual(r.lines[7].kinds, ['cmdi']);
  });

  it('reads CRLF line ends and a last line without a newline', async () => {
    const r = await scan('{"value": "x"}\r\n{"value": "../../../etc/passwd"}');
    assert.equal(r.lines.length, 2);
    assert.equal(r.lines[0].attack, false);
    assert.deepEqual(r.lines[1].kinds, ['path']);
  });

  it('reassembles lines split across chunks, including inside a UTF-8 character', async () => {
    const line = Buffer.from('{"value": "caf\u00e9 <svg onload=alert(1)>"}\n{"value": "ok"}\n', 'utf8');
    const chunks = [line.subarray(0, 13), line.subarray(13, 14), line.subarray(14, 40), line.subarray(40)];
    const r = await scan(chunks);
    assert.equal(r.lines.length, 2);
    assert.deepEqual(r.lines[0].kinds, ['xss']);
  });

  it('a line over --max-line-bytes is reported without being buffered; the next line is scanned', async () => {
    const r = await scan(`{"value": "${'a'.repeat(5000)}"}\n{"value": "$(id)"}\n`, ['--max-line-bytes', '1000']);
    assert.equal(r.lines.length, 2);
    assert.match(String(r.lines[0].error), /longer than 1000 bytes/);
    assert.deepEqual(r.lines[1].kinds, ['cmdi']);
  });

  it('--paranoia, --findings and location are honoured', async () => {
    const input = '{"value": "photo%00.png"}\n{"value": "user[$ne]", "location": "query_key"}\n';
    const low = await scan(input);
    assert.equal(low.lines[0].attack, false);
    const high = await scan(input, ['--paranoia', '4', '--findings']);
    assert.equal(high.lines[0].attack, true);
    const findings = high.lines[1].findings as { rule: string; snippet: string }[];
    assert.ok(findings.length > 0);
    assert.ok(findings[0].rule.startsWith('nosqli.'));
  });

  it('rejects bad options with exit 2 and a usage text', async () => {
    const r = await scan('', ['--paranoia', '9']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--paranoia "9" must be 1, 2, 3 or 4/);
    const stdout = new PassThrough();
    let help = '';
    stdout.on('data', (c: Buffer) => (help += c.toString('utf8')));
    const code = await main(['scan', '--help'], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: {} });
    assert.equal(code, 0);
    assert.match(help, /Usage: watchpost scan/);
  });

  it('waits for a slow consumer (backpressure) and loses nothing', async () => {
    let text = '';
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 64,
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString('utf8');
        writes++;
        setImmediate(cb);
      },
    });
    Object.defineProperty(slow, 'text', { get: () => text });
    const n = 5000;
    const input = Array.from({ length: n }, (_, i) => JSON.stringify({ value: i % 2 ? `x${i}' or 1=1--` : `plain ${i}` })).join('\n');
    const r = await scan(input, [], slow);
    assert.equal(r.lines.length, n);
    assert.equal(r.lines.filter((l) => l.attack === true).length, n / 2);
    assert.ok(writes > 1);
  });

  it('runs as the installed command (bin) end to end', () => {
    const bin = path.resolve(__dirname, '..', '..', 'lib', 'cli', 'index.js');
    const r = spawnSync(process.execPath, [bin, 'scan'], { input: '{"value": "\' union select 1,2--"}\n{"value": "fine"}\n', encoding: 'utf8' });
    assert.equal(r.status, 0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { attack: boolean });
    assert.deepEqual(lines.map((l) => l.attack), [true, false]);
  });
});
