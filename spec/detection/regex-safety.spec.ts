/**
 * Every regular expression the engine ships passes recheck (checklist C.1), and no other
 * regular expression hides in lib/detection: a new one must be added to the registry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkSync } from 'recheck';
import { assert } from '../helpers/counted-assert';
import { DETECTION_REGEXES } from '../../lib/detection/regex-registry';

const DETECTION_DIR = path.resolve(__dirname, '..', '..', '..', 'lib', 'detection');

describe('detection: regular expressions are ReDoS-safe (recheck)', function () {
  this.timeout(60000);

  it('recheck itself reports a catastrophic expression as vulnerable', () => {
    const r = checkSync('^(a+)+$', '', { timeout: 10000 });
    assert.equal(r.status, 'vulnerable');
  });

  it('the registry is not empty', () => {
    assert.ok(DETECTION_REGEXES.length > 0);
  });

  for (const { module, regex } of DETECTION_REGEXES) {
    it(`${module}: /${regex.source.slice(0, 60)}/${regex.flags} is safe`, () => {
      const r = checkSync(regex.source, regex.flags, { timeout: 20000 });
      assert.equal(r.status, 'safe', JSON.stringify(r).slice(0, 400));
    });
  }

  it('every regular expression literal in lib/detection is a registered RE_ constant', () => {
    const problems: string[] = [];
    let literals = 0;
    for (const file of fs.readdirSync(DETECTION_DIR).filter((f) => f.endsWith('.ts'))) {
      // Code only: comment lines may quote regexes.
      const src = fs
        .readFileSync(path.join(DETECTION_DIR, file), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(?:\/\/|\*|\/\*)/.test(l))
        .join('\n');
      if (/new RegExp\s*\(/.test(src)) problems.push(`${file}: new RegExp`);
      // Inline literals passed to string or regex methods are not allowed; constants are counted.
      if (/\.(?:test|exec|match|matchAll|replace|replaceAll|split|search)\(\s*\/[^/*]/.test(src)) problems.push(`${file}: inline regex literal`);
      for (const line of src.split('\n')) if (/^\s*const RE_[A-Z_]+ = \//.test(line)) literals++;
    }
    assert.deepEqual(problems, []);
    assert.equal(literals, DETECTION_REGEXES.length, 'a regex constant is missing from regex-registry.ts');
  });
});
