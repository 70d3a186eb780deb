/**
 * The detector's contract: options validated once, verdict shapes, locations, the
 * iterative walker and its caps (checklist A), bounded snippets, and scanning that never
 * throws (fuzzed with fast-check).
 */
import fc from 'fast-check';
import { assert } from '../helpers/counted-assert';
import {
  createInjectionDetector, DEFAULT_PARANOIA, PARANOIA_THRESHOLDS, MAX_FINDINGS, MAX_SNIPPET, DEFAULT_LIMITS,
} from '../../lib/detection';
import type { DetectorOptions } from '../../lib/detection';
import type { ScanVerdict, ValueLocation } from '../../lib/core/types';

const LOCATIONS: readonly ValueLocation[] = ['query', 'query_key', 'body', 'body_key', 'param', 'cookie', 'header', 'user_agent', 'referer', 'path', 'text'];

function checkShape(v: ScanVerdict): void {
  assert.equal(typeof v.attack, 'boolean');
  assert.equal(typeof v.score, 'number');
  assert.ok(Array.isArray(v.kinds));
  assert.ok(Array.isArray(v.findings));
  assert.ok(v.findings.length <= MAX_FINDINGS);
  for (const f of v.findings) assert.ok(f.snippet.length <= MAX_SNIPPET, `snippet of ${f.snippet.length}`);
}

describe('detection: engine', () => {
  describe('options', () => {
    it('defaults to the paranoia level that meets the false-positive target', () => {
      const d = createInjectionDetector();
      assert.equal(d.paranoia, DEFAULT_PARANOIA);
      assert.equal(createInjectionDetector({ paranoia: undefined }).paranoia, DEFAULT_PARANOIA);
    });

    it('thresholds fall as paranoia rises', () => {
      assert.ok(PARANOIA_THRESHOLDS[1] > PARANOIA_THRESHOLDS[2]);
      assert.ok(PARANOIA_THRESHOLDS[2] > PARANOIA_THRESHOLDS[3]);
      assert.ok(PARANOIA_THRESHOLDS[3] > PARANOIA_THRESHOLDS[4]);
    });

    it('rejects a bad paranoia level with the code and the value', () => {
      assert.throws(() => createInjectionDetector({ paranoia: 5 as never }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'ERR_WATCHPOST_INVALID_DETECTION_OPTION');
        assert.match(e.message, /paranoia 5 must be 1, 2, 3 or 4/);
        return true;
      });
    });

    it('rejects unknown options and suggests the right key', () => {
      assert.throws(() => createInjectionDetector({ Paranoia: 2 } as unknown as DetectorOptions), /Did you mean `paranoia`\?/);
      assert.throws(() => createInjectionDetector({ limits: { maxDepht: 3 } } as unknown as DetectorOptions), /unknown option limits\."maxDepht"/);
      assert.throws(() => createInjectionDetector({ limits: { maxDepth: 0 } }), /limits\.maxDepth 0 must be an integer >= 1/);
    });

    it('a higher paranoia level flags weaker evidence', () => {
      const weak = "' or '' = '";
      const scores = ([1, 2, 3, 4] as const).map((p) => createInjectionDetector({ paranoia: p }).scanValue('photo%00.png').attack);
      assert.deepEqual(scores, [false, false, false, true]);
      assert.equal(createInjectionDetector({ paranoia: 1 }).scanValue(weak).attack, true);
    });
  });

  describe('verdicts', () => {
    const d = createInjectionDetector();
    it('a clean value has no finding and score 0', () => {
      const v = d.scanValue('hello world');
      assert.deepEqual(v, { attack: false, score: 0, kinds: [], findings: [] });
    });

    it('a finding carries kind, rule id, score, location, path and a short snippet', () => {
      const v = d.scanValue(`${'x'.repeat(500)}' or 1=1-- ${'y'.repeat(500)}`, 'body', 'user.name');
      assert.equal(v.attack, true);
      const f = v.findings[0];
      assert.equal(f.kind, 'sqli');
      assert.match(f.ruleId, /^sqli\./);
      assert.equal(f.location, 'body');
      assert.equal(f.path, 'user.name');
      assert.ok(f.snippet.length <= MAX_SNIPPET);
      assert.ok(f.snippet.includes('or 1=1'));
    });

    it('scanInputs combines a request and keeps every finding location', () => {
      const v = d.scanInputs([
        { location: 'query', path: 'q', value: 'shoes' },
        { location: 'cookie', path: 'sid', value: "' or 1=1--" },
        { location: 'user_agent', path: 'user-agent', value: '<script>alert(1)</script>' },
        { location: 'query_key', path: 'user[$ne]', value: 'user[$ne]' },
      ]);
      assert.equal(v.attack, true);
      assert.deepEqual([...v.kinds].sort(), ['nosqli', 'sqli', 'xss']);
      assert.deepEqual(v.findings.map((f) => f.location).sort(), ['cookie', 'query_key', 'user_agent']);
    });

    it('scanInputs walks parsed parts like scanObject; skipValuesOf keeps named values out of the scan and its snippets', () => {
      const parts = [
        { location: 'query' as const, path: '', value: { q: 'shoes', token: "' or 1=1--" } },
        { location: 'body' as const, path: '', value: { user: { name: 'ann', password: '<script>alert(1)</script>' } } },
      ];
      const all = d.scanInputs(parts);
      assert.deepEqual([...all.kinds].sort(), ['sqli', 'xss']);
      assert.deepEqual(all.findings.map((f) => f.path).sort(), ['token', 'user.password']);
      const skipping = createInjectionDetector({ skipValuesOf: (k) => k === 'token' || k === 'password' });
      assert.equal(skipping.scanInputs(parts).attack, false);
      assert.equal(skipping.scanObject({ note: "' or 1=1--", token: 'x' }, 'body').attack, true, 'other fields are still scanned');
      assert.throws(() => createInjectionDetector({ skipValuesOf: 'password' as never }), /skipValuesOf must be a function/);
    });

    it('the findings of a request are capped', () => {
      const inputs = Array.from({ length: 100 }, (_, i) => ({ location: 'query' as const, path: `a${i}`, value: "' or 1=1--" }));
      const v = d.scanInputs(inputs);
      assert.equal(v.findings.length, MAX_FINDINGS);
      assert.equal(v.attack, true);
    });
  });

  describe('scanObject: the iterative walker (checklist A)', () => {
    const d = createInjectionDetector();
    it('A.3 JSON nested 10,000 deep: no RangeError, the cap is reported', () => {
      let deep: unknown = "' or 1=1--";
      for (let i = 0; i < 10000; i++) deep = { a: deep };
      const v = d.scanObject(deep, 'body');
      assert.equal(v.incomplete?.reason, 'depth');
      const json = JSON.parse('['.repeat(10000) + ']'.repeat(10000)) as unknown;
      assert.equal(d.scanObject(json, 'body').incomplete?.reason, 'depth');
    });

    it('A.4 100k-element arrays and too many keys are capped and flagged', () => {
      const big = Array.from({ length: 100000 }, (_, i) => `v${i}`);
      const v = d.scanObject({ big }, 'body');
      assert.equal(v.incomplete?.reason, 'items');
      const keys: Record<string, string> = {};
      for (let i = 0; i < DEFAULT_LIMITS.maxKeys + 10; i++) keys[`k${i}`] = 'x';
      assert.equal(d.scanObject(keys, 'body').incomplete?.reason, 'keys');
    });

    it('A.4 an attack before the cap is still reported with the cap', () => {
      const v = d.scanObject(['<script>alert(1)</script>', ...Array.from({ length: 20000 }, () => 'a')], 'body');
      assert.equal(v.attack, true);
      assert.equal(v.incomplete?.reason, 'items');
    });

    it('A.5 prototype keys are flagged and nothing is polluted', () => {
      const v = d.scanObject(JSON.parse('{"a":{"__proto__":{"isAdmin":true}},"constructor":{"prototype":{"isAdmin":true}}}'), 'body');
      assert.ok(v.kinds.includes('proto'));
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    });

    it('A.6 a[__proto__]=b&a[length]=100000000 (qs) answers fast', () => {
      const t0 = Date.now();
      const v = d.scanObject({ a: { __proto__: 'b', length: '100000000' } }, 'query');
      assert.ok(Date.now() - t0 < 1000);
      checkShape(v);
      const raw = d.scanValue('a[__proto__]=b&a[__proto__]&a[length]=100000000', 'query_key');
      assert.ok(raw.kinds.includes('proto'));
    });

    it('A.7 hasOwnProperty and toString as keys do not break the walk', () => {
      const v = d.scanObject({ hasOwnProperty: '1', toString: 'x', valueOf: "' or 1=1--" }, 'query');
      assert.equal(v.attack, true);
      assert.equal(v.findings[0].path, 'valueOf');
    });

    it('A.8 numbers, booleans, null, Buffers, undefined and functions never throw', () => {
      for (const x of [1, 0, -1.5, NaN, true, false, null, undefined, Buffer.from("' or 1=1--"), () => 1, Symbol('s'), 10n, new Date(0), new Map([['a', 'b']])]) {
        const v = d.scanObject(x, 'body');
        checkShape(v);
        assert.equal(v.attack, false);
      }
      checkShape(d.scanObject({ n: 1, b: true, z: null, u: undefined, buf: Buffer.from('x'), arr: [1, [2, [3]]] }, 'body'));
    });

    it('a getter that throws is reported as an incomplete scan, not a silent pass', () => {
      const evil = Object.defineProperty({ ok: 'fine' }, 'bad', { enumerable: true, get() { throw new Error('boom'); } });
      const v = d.scanObject(evil, 'body');
      assert.equal(v.incomplete?.reason, 'budget');
    });

    it("values are found at their own key, also in a proxy that lists its keys differently each time it is asked", () => {
      const plain = d.scanObject({ a: 'fine', b: "' or 1=1--", c: 'also fine' }, 'body');
      assert.equal(plain.attack, true);
      assert.deepEqual(plain.findings.map((f) => f.path), ['b']);
      let calls = 0;
      const target: Record<string, string> = { a: 'fine', b: "' or 1=1--", c: 'also fine' };
      const shifty = new Proxy(target, {
        // First listing: a, b, c; later ones: c only (Object.values would be misaligned with the first).
        ownKeys: () => ((calls += 1) === 1 ? ['a', 'b', 'c'] : ['c']),
        getOwnPropertyDescriptor: (t, k) => ({ value: t[k as string], enumerable: true, configurable: true, writable: true }),
      });
      const v = d.scanObject(shifty, 'body');
      assert.equal(v.attack, true);
      assert.deepEqual(v.findings.map((f) => f.path), ['b'], 'the attack is reported at b, where it is');
      assert.equal(v.findings[0].location, 'body');
    });

    it('a key list judged clean once is remembered per parent key and location, and its keys still count toward the budget', () => {
      const e = createInjectionDetector();
      // `prototype` is clean under `a`, not under `constructor`: the same key list, another parent.
      assert.equal(e.scanObject({ a: { prototype: 1, x: 2 } }, 'body').findings.length, 0);
      assert.equal(e.scanObject({ a: { prototype: 1, x: 2 } }, 'body').findings.length, 0);
      const proto = e.scanObject({ constructor: { prototype: 1, x: 2 } }, 'body');
      assert.ok(proto.findings.some((f) => f.path === 'constructor.prototype' && f.kind === 'proto'), JSON.stringify(proto.findings));
      // A clean form's keys, then the same keys with one operator among them.
      const form = { q1: 'agree', q2: 'agree', q3: 'neutral' };
      for (let i = 0; i < 3; i += 1) assert.equal(e.scanObject(form, 'body').findings.length, 0);
      const op = e.scanObject({ q1: 'agree', $where: 'agree', q3: 'neutral' }, 'body');
      assert.ok(op.findings.some((f) => f.path === '$where' && f.kind === 'nosqli'), JSON.stringify(op.findings));
      // Keys count toward maxTotalBytes whether their list is remembered or not.
      const small = createInjectionDetector({ limits: { maxTotalBytes: 40 } });
      const keys = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`key${i}`, i]));
      const first = small.scanObject(keys, 'body');
      const again = small.scanObject(keys, 'body');
      assert.equal(first.incomplete?.reason, 'budget');
      assert.deepEqual(again, first);
    });

    it('a remembered key list skips the same values as a fresh one (skipValuesOf), and a value of a look-alike list is scanned', () => {
      const asked: string[] = [];
      const e = createInjectionDetector({ skipValuesOf: (k) => (asked.push(k), k === 'password') });
      const login = (password: string, user = 'ann') => ({ user, password, remember: 'yes' });
      // The list is judged clean once, then remembered: the secret's value is skipped every time.
      for (let i = 0; i < 3; i += 1) assert.equal(e.scanObject(login("' or 1=1--"), 'body').findings.length, 0, `scan ${i}`);
      assert.equal(asked.filter((k) => k === 'password').length, 1, 'skipValuesOf asked once per key of a remembered list');
      // The other keys' values are still scanned, on the remembered list too.
      const user = e.scanObject(login('x', "' or 1=1--"), 'body');
      assert.deepEqual(user.findings.map((f) => f.path), ['user']);
      // Same keys in another order: another list, and the attack under `remember` is found where it is.
      const shuffled = e.scanObject({ password: 'x', remember: "' or 1=1--", user: 'ann' }, 'body');
      assert.deepEqual(shuffled.findings.map((f) => f.path), ['remember']);
    });

    it('cycles are walked once', () => {
      const a: Record<string, unknown> = { name: "' or 1=1--" };
      a.self = a;
      const v = d.scanObject(a, 'body');
      assert.equal(v.attack, true);
      assert.equal(v.findings.length, 1);
    });

    it('values over maxValueBytes are scanned up to the cap and reported', () => {
      const small = createInjectionDetector({ limits: { maxValueBytes: 64 } });
      const v = small.scanValue(`<script>alert(1)</script>${'a'.repeat(200)}`);
      assert.equal(v.attack, true);
      assert.equal(v.incomplete?.reason, 'size');
      const multi = small.scanValue('é'.repeat(100));
      assert.equal(multi.incomplete?.reason, 'size');
    });

    it('the total budget stops a walk and says so', () => {
      const small = createInjectionDetector({ limits: { maxTotalBytes: 100 } });
      const v = small.scanObject(Array.from({ length: 50 }, () => 'abcdefghij'), 'body');
      assert.equal(v.incomplete?.reason, 'budget');
    });

    it('keys go to *_key locations and values keep the location', () => {
      const v = d.scanObject({ '<img src=x onerror=alert(1)>': 'a', q: '<svg onload=alert(1)>' }, 'body', 'body');
      assert.deepEqual(v.findings.map((f) => [f.location, f.path]), [['body_key', 'body.<img src=x onerror=alert(1)>'], ['body', 'body.q']]);
      const q = d.scanObject({ user: { $gt: '' } }, 'query');
      assert.equal(q.findings[0].location, 'query_key');
    });
  });

  describe('remembered short values', () => {
    // Short values are judged once and remembered per location class; a repeat must give
    // exactly what a fresh detector gives, whatever was scanned before.
    const fresh = (s: string, loc: ValueLocation) => createInjectionDetector().scanValue(s, loc, 'x');
    it('a value judged in one location class is judged anew in another', () => {
      const d = createInjectionDetector();
      const cases: Array<[string, ValueLocation]> = [
        ['profile.name', 'query'], ['profile.name', 'query_key'], ['profile.name', 'query'],
        ['<b>bold</b>', 'answer'], ['<b>bold</b>', 'body'], ['<b>bold</b>', 'answer'],
        ['select * from users', 'user_agent'], ['select * from users', 'query'], ['select * from users', 'user_agent'],
      ];
      for (const [s, loc] of cases) assert.deepEqual(d.scanValue(s, loc, 'x'), fresh(s, loc), `${s} at ${loc}`);
      // and the classes really differ on these values, so the test can fail
      assert.notDeepEqual(fresh('profile.name', 'query').findings, fresh('profile.name', 'query_key').findings);
      assert.notEqual(fresh('<b>bold</b>', 'answer').score, fresh('<b>bold</b>', 'body').score);
      assert.notEqual(fresh('select * from users', 'user_agent').score, fresh('select * from users', 'query').score);
    });

    it('repeats, attacks among look-alikes, and more values than the memory holds', () => {
      const d = createInjectionDetector();
      const values = ["O'Brien", "' or 1=1--", 'strongly agree', '<script>x</script>', 'a; ls -la', 'Rock & Roll', '../../etc/passwd', 'q17'];
      const expected = values.map((s) => fresh(s, 'body'));
      for (let round = 0; round < 3; round += 1) {
        values.forEach((s, i) => assert.deepEqual(d.scanValue(s, 'body', 'x'), expected[i], `${s}, round ${round}`));
        // past the memory's size: it is emptied and filled again, verdicts unchanged
        for (let i = 0; i < 5000; i += 1) d.scanValue(`item ${round} ${i}`, 'body');
      }
      assert.equal(expected[1].attack, true);
      assert.equal(expected[0].attack, false);
    });

    it('paths and locations of a remembered finding are the ones of the current value', () => {
      const d = createInjectionDetector();
      const v = d.scanInputs([
        { location: 'query', path: 'a', value: "' or 1=1--" },
        { location: 'body', path: 'b', value: "' or 1=1--" },
      ]);
      assert.deepEqual(v.findings.map((f) => [f.location, f.path]).filter((x, i, all) => all.findIndex((y) => y[1] === x[1]) === i), [['query', 'a'], ['body', 'b']]);
    });
  });

  describe('never throws (fast-check)', () => {
    const d = createInjectionDetector();
    it('scanValue on arbitrary strings, at every location', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...LOCATIONS), (s, loc) => {
          checkShape(d.scanValue(s, loc, 'x'));
        }),
        { numRuns: 1500 },
      );
    });

    it('scanValue on strings made of attack fragments', () => {
      const frag = fc.constantFrom("'", '"', '`', '<', '>', '/*', '*/', '--', '#', ';', '|', '&', '$(', '${', '%', '%2', '%25', '%c0', '%ae', '%u', '&#', '&lt', '\\x', '\\u', '\\', '..', '/', 'union', 'select', 'or', '1=1', 'script', 'on', '=', '(', ')', '[', ']', '{', '}', '$ne', '__proto__', 'javascript:', '\u0000', '\n', ' ', 'é', '\uffff', '\ud800');
      fc.assert(
        fc.property(fc.array(frag, { maxLength: 60 }), (parts) => {
          checkShape(d.scanValue(parts.join('')));
        }),
        { numRuns: 2000 },
      );
    });

    it('scanObject on arbitrary JSON-like values', () => {
      fc.assert(
        fc.property(fc.anything({ maxDepth: 6 }), (x) => {
          checkShape(d.scanObject(x, 'body'));
        }),
        { numRuns: 500 },
      );
    });

    it('scanInputs on malformed input lists', () => {
      checkShape(d.scanInputs(undefined as never));
      checkShape(d.scanInputs([null, {}, { value: 5 }, { location: 'query', path: 'q', value: "' or 1=1--" }] as never));
    });
  });

  describe('time (checklist C.2): a generous linearity sanity check, not a benchmark', () => {
    const d = createInjectionDetector({ limits: { maxValueBytes: 4 * 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024 } });
    const families: Record<string, (n: number) => string> = {
      "'a'*n+'!'": (n) => 'a'.repeat(n) + '!',
      "'/*'*n": (n) => '/*'.repeat(n / 2),
      "\"'--\"*n": (n) => "'--".repeat(n / 3),
      "'<a '*n+'='": (n) => '<a '.repeat(n / 3) + '=',
    };
    for (const [name, make] of Object.entries(families)) {
      it(`${name}: 512 KB scans in well under a second and doubling stays far from quadratic`, () => {
        const time = (s: string): number => {
          const t0 = process.hrtime.bigint();
          d.scanValue(s);
          return Number(process.hrtime.bigint() - t0) / 1e6;
        };
        const small = make(256 * 1024);
        const big = make(512 * 1024);
        time(small);
        const a = Math.min(time(small), time(small));
        const b = Math.min(time(big), time(big));
        assert.ok(b < 1000, `${b} ms`);
        // Quadratic would be 4x; allow noise from a shared machine.
        assert.ok(b < Math.max(a, 5) * 3.5, `256 KB ${a.toFixed(1)} ms, 512 KB ${b.toFixed(1)} ms`);
      });
    }
  });
});
