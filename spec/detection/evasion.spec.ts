/**
 * The evasion list of the reliability checklist (section B): each encoding trick is seen
 * through, and each has a benign twin that must still pass.
 */
import { assert } from '../helpers/counted-assert';
import { detector } from './helpers';
import { normalizeValue, utf7Decode } from '../../lib/detection/normalize';
import type { AttackKind, ValueLocation } from '../../lib/core/types';

interface Row {
  readonly item: string;
  readonly attack: string;
  readonly kind: AttackKind;
  readonly twin: string;
  readonly location?: ValueLocation;
}

const ROWS: readonly Row[] = [
  { item: 'B.1 double URL encoding', attack: '%2527%20OR%201%3D1--', kind: 'sqli', twin: '100%25 cotton' },
  { item: 'B.2 overlong UTF-8', attack: '%c0%ae%c0%ae%2f%c0%ae%c0%ae%2fetc/passwd', kind: 'path', twin: 'caf%C3%A9 au lait' },
  { item: 'B.3 %u escapes', attack: '%u002e%u002e%u2215%u002e%u002e%u2215etc%u2215passwd', kind: 'path', twin: 'see %u and %d in printf' },
  { item: 'B.3 fullwidth', attack: '＜script＞alert(1)＜/script＞', kind: 'xss', twin: 'ＡＢＣ株式会社' },
  { item: 'B.4 entities with ;', attack: '&lt;script&gt;alert(1)&lt;/script&gt;', kind: 'xss', twin: 'Fish &amp; chips' },
  { item: 'B.4 entities without ;', attack: '&#60script&#62alert(1)&#60/script&#62', kind: 'xss', twin: 'R&D &copy 2024' },
  { item: 'B.4 \\u escapes', attack: '\\u003cimg src=x onerror=alert(1)\\u003e', kind: 'xss', twin: 'path C:\\users\\alice' },
  { item: 'B.4 \\x escapes', attack: '\\x3csvg onload=alert(1)\\x3e', kind: 'xss', twin: 'use \\x for hex' },
  { item: 'B.5 JSON-escaped quote', attack: '\\u0027 or 1=1--', kind: 'sqli', twin: 'He said \\u0027hi\\u0027' },
  { item: 'B.6 comments between keywords', attack: "' UN/**/ION/**/SELECT password FROM users--", kind: 'sqli', twin: 'a/**/b is a comment' },
  { item: 'B.6 MySQL executable comment', attack: "' /*!50000UNION*/ /*!50000SELECT*/ 1,2--", kind: 'sqli', twin: '/*! keep this */' },
  { item: 'B.6 case mixing', attack: "' UnIoN SeLeCt 1,2,3--", kind: 'sqli', twin: 'Union Select Bank' },
  { item: 'B.6 newline between keywords', attack: "' UNION%0aSELECT 1,2--", kind: 'sqli', twin: 'union%0astation' },
  { item: 'B.7 null byte', attack: '../../etc/passwd%00.png', kind: 'path', twin: 'photo.png' },
  { item: 'B.8 quotes inside a command', attack: ";c''at /etc/passwd", kind: 'cmdi', twin: "can't stop" },
  { item: 'B.8 $(...)', attack: '$(id)', kind: 'cmdi', twin: '$(5 off)' },
  { item: 'B.8 backticks', attack: '`whoami`', kind: 'cmdi', twin: 'type `ls` to list files' },
  { item: 'B.8 backslash in a word', attack: ';c\\at /etc/passwd', kind: 'cmdi', twin: 'a\\b' },
  { item: 'B.8 ${IFS}', attack: ';cat${IFS}/etc/passwd', kind: 'cmdi', twin: '${IFS} is a shell variable' },
  { item: 'B.9 ..%2f', attack: '..%2f..%2f..%2fetc%2fpasswd', kind: 'path', twin: 'a%2fb' },
  { item: 'B.9 ..%5c', attack: '..%5c..%5c..%5cwindows%5cwin.ini', kind: 'path', twin: 'domain%5cuser' },
  { item: 'B.9 ..\\', attack: '..\\..\\..\\boot.ini', kind: 'path', twin: 'C:\\Users\\bob\\notes.txt' },
  { item: 'B.9 %252e', attack: '%252e%252e%252f%252e%252e%252fetc/hosts', kind: 'path', twin: '50%252e' },
  { item: 'B.9 /./../', attack: '/./../.././../etc/passwd', kind: 'path', twin: './run.sh' },
  { item: 'B.10 qs operator', attack: 'user[$ne]=1', kind: 'nosqli', twin: 'user[name]=1' },
  { item: 'B.10 JSON operator', attack: '{"pass":{"$gt":""}}', kind: 'nosqli', twin: '{"pass":{"gt":""}}' },
  { item: 'B.10 $where', attack: '{"$where": "sleep(5000)"}', kind: 'nosqli', twin: 'where: home' },
  { item: 'B.12 payload in a parameter name', attack: '<script>alert(1)</script>', kind: 'xss', twin: 'utm_source', location: 'query_key' },
  { item: 'B.12 payload in a cookie', attack: "' or 1=1--", kind: 'sqli', twin: 'session=abc123', location: 'cookie' },
  { item: 'B.12 payload in User-Agent', attack: '() { :;}; /bin/bash -c "id"', kind: 'cmdi', twin: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', location: 'user_agent' },
  { item: 'B.12 payload in Referer', attack: 'https://x.example/?q=<script>alert(1)</script>', kind: 'xss', twin: 'https://example.com/search?q=shoes&page=2', location: 'referer' },
  { item: 'UTF-7 markup', attack: '+ADw-script+AD4-alert(1)+ADw-/script+AD4-', kind: 'xss', twin: 'C++ and C# +AB' },
];

describe('detection: evasions of the reliability checklist (section B)', () => {
  for (const row of ROWS) {
    it(`${row.item}: flags ${JSON.stringify(row.attack).slice(0, 60)}`, () => {
      const v = detector.scanValue(row.attack, row.location ?? 'text', 'p');
      assert.equal(v.attack, true, JSON.stringify(v.findings));
      assert.ok(v.kinds.includes(row.kind), JSON.stringify(v.kinds));
    });
    it(`${row.item}: passes the twin ${JSON.stringify(row.twin).slice(0, 60)}`, () => {
      const v = detector.scanValue(row.twin, row.location ?? 'text', 'p');
      assert.equal(v.attack, false, JSON.stringify(v.findings));
    });
  }

  it('B.11 parameter pollution: every element of a repeated parameter is scanned', () => {
    const v = detector.scanObject({ q: ['ok', 'fine', "' OR 1=1--"] }, 'query');
    assert.equal(v.attack, true);
    assert.equal(v.findings[0].path, 'q[2]');
  });

  it('records encodings as evasion findings next to what they hid', () => {
    const v = detector.scanValue('%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd');
    assert.ok(v.findings.some((f) => f.ruleId === 'evasion.overlong_utf8'));
  });

  it('a stray % added to an encoded attack does not cancel the encoding bonus; alone it stays harmless', () => {
    const encoded = "x%2527 or 1%3d1 and a%253d";
    const plain = detector.scanValue(encoded);
    assert.ok(plain.findings.some((f) => f.ruleId === 'evasion.multiple_encoding'));
    for (const tail of [' %%', ' 100%', ' %zz']) {
      const v = detector.scanValue(encoded + tail);
      assert.equal(v.score, plain.score, tail);
      assert.ok(v.findings.some((f) => f.ruleId === 'evasion.multiple_encoding'), tail);
    }
    for (const benign of ['100%% sure, and 50% off', 'save 20%25 today %%']) assert.equal(detector.scanValue(benign).attack, false, benign);
  });

  it('an overlong sequence or a NUL alone is a weak path signal, never a reason to skip', () => {
    const overlong = detector.scanValue('%c0%ae');
    assert.ok(overlong.findings.some((f) => f.ruleId === 'path.overlong_encoding'));
    const nul = createParanoid().scanValue('photo%00.png');
    assert.equal(nul.attack, true);
  });

  it('decodes at most a bounded number of URL passes and keeps malformed escapes', () => {
    const nv = normalizeValue('%%32%65%qf%');
    assert.equal(nv.text, '.%qf%');
    assert.ok(nv.flags !== 0);
    assert.equal(utf7Decode('+ADw-b+AD4-'), '<b>');
  });
});

function createParanoid(): typeof detector {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createInjectionDetector } = require('../../lib/detection') as typeof import('../../lib/detection');
  return createInjectionDetector({ paranoia: 4 });
}
