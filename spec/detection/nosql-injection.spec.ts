/**
 * NoSQL operator injection in all three shapes (raw value, raw key from Express's simple
 * parser, parsed object from qs/JSON), Mongo-side JavaScript, prototype-pollution keys and
 * server-side JavaScript.
 */
import { assert } from '../helpers/counted-assert';
import { attacks, benign, detector } from './helpers';

describe('detection: NoSQL operator injection', () => {
  describe('raw values', () => {
    attacks('nosqli', [
      'user[$ne]=x',
      'login[$regex]=^adm&pass[$ne]=1',
      'pw[$gt]=',
      '{"user": {"$ne": null}, "pass": {"$ne": null}}',
      '{ "$where": "this.a == this.b" }',
      "{$gt: ''}",
      "'; return true; var z='",
      "' || 'x'=='x",
      'db.users.find({})',
    ]);
  });
  describe('raw keys (Express 5 simple query parser)', () => {
    attacks('nosqli', ['user[$ne]', 'password[$regex]', 'a[$where]'], 'query_key');
  });
  describe('parsed objects (qs, JSON)', () => {
    it('flags {"$ne": ...} under a query key, at a *_key location', () => {
      const v = detector.scanObject({ user: { $ne: 'x' } }, 'query');
      assert.equal(v.attack, true);
      assert.deepEqual(v.kinds, ['nosqli']);
      assert.equal(v.findings[0].location, 'query_key');
      assert.equal(v.findings[0].path, 'user.$ne');
    });
    it('flags $where in a JSON body', () => {
      const v = detector.scanObject(JSON.parse('{"filter":{"$where":"sleep(1000) || true"}}'), 'body');
      assert.equal(v.attack, true);
      assert.ok(v.kinds.includes('nosqli'));
    });
    it('flags {"pass":{"$gt":""}} and every element of a polluted array', () => {
      const v = detector.scanObject({ pass: { $gt: '' }, q: ['ok', "' OR 1=1--"] }, 'body');
      assert.equal(v.attack, true);
      assert.ok(v.kinds.includes('nosqli'));
      assert.ok(v.kinds.includes('sqli'));
      assert.ok(v.findings.some((f) => f.path === 'q[1]'));
    });
    it('reports a dotted body key as a weak signal only', () => {
      const v = detector.scanObject({ 'profile.isAdmin': true }, 'body');
      assert.equal(v.attack, false);
      assert.ok(v.findings.some((f) => f.ruleId === 'nosqli.dotted_key'));
    });
  });
  describe('benign look-alikes', () => {
    benign(['$ne meaning', '$5 each', 'Price: $gt 10 is not valid syntax', 'gt vs lt', 'where is waldo', 'exists or not', 'mongo db vs postgres', "I said 'hello'; she left"]);
    it('passes ordinary objects', () => {
      const v = detector.scanObject({ name: "O'Brien", tags: ['a', 'b'], price: 5, nested: { ok: true, when: null } }, 'body');
      assert.equal(v.attack, false);
      assert.equal(v.findings.length, 0);
    });
  });
});

describe('detection: prototype pollution keys', () => {
  it('flags __proto__ in a JSON body', () => {
    const body = JSON.parse('{"__proto__":{"isAdmin":true}}') as unknown;
    const v = detector.scanObject(body, 'body');
    assert.equal(v.attack, true);
    assert.ok(v.kinds.includes('proto'));
    assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
  });
  it('flags constructor.prototype', () => {
    const v = detector.scanObject({ constructor: { prototype: { isAdmin: true } } }, 'body');
    assert.equal(v.attack, true);
    assert.ok(v.kinds.includes('proto'));
  });
  describe('raw forms', () => {
    attacks('proto', ['a[__proto__][isAdmin]=1', '__proto__.polluted=yes', '{"__proto__": {"x": 1}}', 'constructor[prototype][x]=1']);
    attacks('proto', ['__proto__[isAdmin]', 'constructor[prototype][x]'], 'query_key');
  });
  describe('benign look-alikes', () => {
    benign(['constructor salary', 'prototype review on Monday', 'the Object.prototype chain']);
  });
});

describe('detection: server-side JavaScript', () => {
  attacks('ssjs', [
    "require('child_process').exec('id')",
    'process.mainModule.require("child_process")',
    "this.constructor.constructor('return process')()",
    "Function('return this')()",
  ]);
  benign(['we require (at least) two forms of ID', 'the constructor of this class', 'process the refund please']);
});
