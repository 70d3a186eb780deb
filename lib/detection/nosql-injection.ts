/**
 * NoSQL operator injection (MongoDB query operators where the application expected a
 * plain value) and prototype-pollution keys.
 *
 * The same attack arrives in three shapes and all are judged:
 * - parsed: a key `$ne` inside a JSON body or a qs-parsed query (`req.query.user =
 *   {"$ne": "x"}`): {@link judgeKey} on the key;
 * - a raw key from Express 5's "simple" parser: `user[$ne]`;
 * - a raw value carrying the structure as text: `user[$ne]=x&pass[$ne]=y`,
 *   `{"$where": "..."}`, `{ $gt: "" }`.
 * A `$` word in prose (`$ne meaning`, `$5 each`) has none of that structure and passes.
 * Also the JavaScript that `$where` and `mapReduce` run: string breakouts into
 * `; return true`, `|| 1==1`, `sleep(5000)`, `db.collection.method(`.
 */
import type { NormalizedValue } from './normalize';
import type { FindingList, Rule } from './findings';

/** Rule ids and scores (see docs/detection.md). */
export const NOSQL_RULES = {
  operatorKey: { id: 'nosqli.operator_key', score: 10 },
  unknownOperatorKey: { id: 'nosqli.operator_key', score: 7 },
  operatorText: { id: 'nosqli.operator_syntax', score: 10 },
  operatorTextWeak: { id: 'nosqli.operator_syntax', score: 6 },
  jsBreakout: { id: 'nosqli.js_injection', score: 9 },
  jsTautology: { id: 'nosqli.js_injection', score: 8 },
  mongoShell: { id: 'nosqli.js_injection', score: 9 },
  dottedKey: { id: 'nosqli.dotted_key', score: 3 },
  protoKey: { id: 'proto.key', score: 10 },
  protoText: { id: 'proto.path_syntax', score: 9 },
  constructorKey: { id: 'proto.key', score: 4 },
} as const;

/** MongoDB query, update, aggregation and evaluation operators. */
export const MONGO_OPERATORS: ReadonlySet<string> = new Set([
  'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'and', 'or', 'not', 'nor', 'exists', 'type', 'expr',
  'jsonschema', 'mod', 'regex', 'options', 'text', 'search', 'where', 'geointersects', 'geowithin', 'near',
  'nearsphere', 'all', 'elemmatch', 'size', 'bitsallclear', 'bitsallset', 'bitsanyclear', 'bitsanyset',
  'comment', 'meta', 'slice', 'function', 'accumulator', 'lookup', 'unionwith', 'merge', 'out', 'set', 'unset',
  'inc', 'push', 'pull', 'pullall', 'addtoset', 'rename', 'natural', 'match', 'group', 'project', 'sample',
  'facet', 'graphlookup', 'replaceroot', 'currentdate', 'min', 'max', 'mul', 'pop', 'each', 'position',
  'setoninsert', 'sort', 'limit', 'skip', 'box', 'center', 'centersphere', 'geometry', 'maxdistance',
  'mindistance', 'polygon', 'uniquedocs', 'isolated', 'atomic', 'caseSensitive', 'diacriticsensitive',
  'language', 'let', 'concat', 'tojson',
].map((s) => s.toLowerCase()));

// Applied to at most 60 characters each (see scanMongoJs), anchored, without nested quantifiers.
const RE_JS_STATEMENT = /^(?:return\b|sleep\s{0,4}\(|var\s|let\s|const\s|while\s{0,4}\(|for\s{0,4}\(|if\s{0,4}\(|this\.|db\.|emit\s{0,4}\(|throw\b|function\b)/;
const RE_JS_COMPARISON = /^(?:'[^']{0,20}'|"[^"]{0,20}"|\d{1,10}|true|this\.[a-z_]{1,20})\s{0,4}(?:===?|!==?)/;
const RE_BARE_JS_TAUTOLOGY = /^\s{0,4}(?:\d{1,10}|true|this\.[a-z_]{1,20})\s{0,4}===?\s{0,4}(?:\d{1,10}|true|this\.)/;
const RE_THIS_METHOD = /^this\.[a-z_$][\w$]{0,30}\.(?:match|tostring|constructor|valueof)\s?\(/;
const RE_SEMI_RETURN = /;\s?return\s(?:true|false|1|this|db|sleep)\b/;

/** Regular expressions of this module (every one is checked by recheck in the test suite). */
export const NOSQL_REGEXES: readonly RegExp[] = [RE_JS_STATEMENT, RE_JS_COMPARISON, RE_BARE_JS_TAUTOLOGY, RE_THIS_METHOD, RE_SEMI_RETURN];

/** Operators that run JavaScript on the server or read other collections. */
const DANGEROUS_OPERATORS = new Set(['where', 'function', 'accumulator', 'expr', 'lookup', 'unionwith', 'graphlookup', 'merge', 'out']);

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Result of judging a key. */
export interface KeyVerdict {
  readonly kind: 'nosqli' | 'proto';
  readonly rule: Rule;
}

/**
 * Judges one object key (a parsed JSON or qs key). `parentKey` is the key of the object
 * holding it (for `constructor` → `prototype`). Returns undefined for an ordinary key.
 */
export function judgeKey(key: string, parentKey: string | undefined): KeyVerdict | undefined {
  if (key.length === 0) return undefined;
  const c0 = key.charCodeAt(0);
  if (c0 === 36) {
    const op = key.slice(1).toLowerCase();
    if (MONGO_OPERATORS.has(op)) return { kind: 'nosqli', rule: NOSQL_RULES.operatorKey };
    if (op.length > 0 && isWordChar(op.charCodeAt(0))) return { kind: 'nosqli', rule: NOSQL_RULES.unknownOperatorKey };
    return undefined;
  }
  if (key === '__proto__') return { kind: 'proto', rule: NOSQL_RULES.protoKey };
  if (key === 'prototype' && parentKey === 'constructor') return { kind: 'proto', rule: NOSQL_RULES.protoKey };
  if (key === 'constructor') return { kind: 'proto', rule: NOSQL_RULES.constructorKey };
  return undefined;
}

/** Scans a value (or a raw key) for operator and prototype syntax and Mongo-side JavaScript. */
export function scanNoSql(nv: NormalizedValue, out: FindingList, isKey: boolean): void {
  const t = nv.text;
  let best = 0;
  let rule = '';
  let at = 0;
  let kind: 'nosqli' | 'proto' = 'nosqli';
  const take = (r: Rule, k: 'nosqli' | 'proto', s: number): void => {
    if (r.score > best) {
      best = r.score;
      rule = r.id;
      at = s;
      kind = k;
    }
  };
  if (t.indexOf('$') >= 0) scanOperators(t, take);
  if (t.indexOf('__proto__') >= 0 || t.indexOf('prototype') >= 0) scanProto(t, take);
  if (!isKey) scanMongoJs(t, take);
  if (isKey && t.length > 1 && t.indexOf('.') > 0 && t.indexOf(' ') < 0) take(NOSQL_RULES.dottedKey, 'nosqli', 0);
  if (best > 0) out.add(kind, rule, best, t, at, at + 50);
}

type Take = (r: Rule, k: 'nosqli' | 'proto', s: number) => void;

/**
 * `[$ne]`, `"$ne":`, `$ne:` and `{$ne` — an operator name written as a key.
 */
function scanOperators(t: string, take: Take): void {
  const n = t.length;
  let i = t.indexOf('$');
  while (i >= 0) {
    let k = i + 1;
    while (k < n && k - i < 24 && isWordChar(t.charCodeAt(k))) k++;
    const op = t.slice(i + 1, k);
    if (op.length > 0 && MONGO_OPERATORS.has(op)) {
      const before = i > 0 ? t.charCodeAt(i - 1) : -1;
      let a = k;
      // closing quote of a JSON key
      if (before === 34 || before === 39) {
        if (a < n && t.charCodeAt(a) === before) a++;
      }
      while (a < n && a - k < 8 && isBlank(t.charCodeAt(a))) a++;
      const after = a < n ? t.charCodeAt(a) : -1;
      let b = i - 1;
      if (before === 34 || before === 39) b--;
      while (b >= 0 && i - b < 8 && isBlank(t.charCodeAt(b))) b--;
      const opener = b >= 0 ? t.charCodeAt(b) : -1;
      if (before === 91 && after === 93) {
        // qs syntax: user[$ne]=x, login[$regex]=a.*, pass[$nin][]=x
        take(NOSQL_RULES.operatorText, 'nosqli', i - 1);
      } else if (after === 58 && (opener === 123 || opener === 44 || before === 34 || before === 39)) {
        // {"$ne": 1}, {$gt: ""}, , $where: '1 == 1'
        take(NOSQL_RULES.operatorText, 'nosqli', i);
      } else if (after === 58 && DANGEROUS_OPERATORS.has(op)) {
        take(NOSQL_RULES.operatorText, 'nosqli', i);
      } else if (opener === 123 && (after === 58 || after === 32)) {
        take(NOSQL_RULES.operatorTextWeak, 'nosqli', i);
      }
    }
    i = t.indexOf('$', i + 1);
  }
}

/** `__proto__[x]=`, `"__proto__":`, `constructor[prototype]`, `constructor.prototype`. */
function scanProto(t: string, take: Take): void {
  const p = t.indexOf('__proto__');
  if (p >= 0) {
    const after = p + 9 < t.length ? t.charCodeAt(p + 9) : -1;
    const before = p > 0 ? t.charCodeAt(p - 1) : -1;
    // [__proto__], __proto__[x], "__proto__":, __proto__.x = ..., a.__proto__.b=1 (qs dots)
    let assign = false;
    if (after === 46) {
      let k = p + 10;
      while (k < t.length && k - p < 50 && (isWordChar(t.charCodeAt(k)) || t.charCodeAt(k) === 46)) k++;
      while (k < t.length && k - p < 56 && isBlank(t.charCodeAt(k))) k++;
      assign = t.charCodeAt(k) === 61 && t.charCodeAt(k + 1) !== 61;
    }
    let colon = false;
    if (before === 34 || before === 39) {
      let k = p + 9;
      if (t.charCodeAt(k) === before) k++;
      while (k < t.length && k - p < 16 && isBlank(t.charCodeAt(k))) k++;
      colon = t.charCodeAt(k) === 58;
    }
    if (after === 91 || (before === 91 && after === 93) || assign || colon || after === 61) {
      take(NOSQL_RULES.protoText, 'proto', p);
    }
  }
  let c = t.indexOf('constructor');
  while (c >= 0) {
    const rest = t.slice(c + 11, c + 24);
    if (rest.startsWith('[prototype]') || rest.startsWith('.prototype') || rest.startsWith('"]["prototype') ||
      rest.startsWith('":{"prototype') || rest.startsWith('": {"prototype')) {
      take(NOSQL_RULES.protoText, 'proto', c);
      break;
    }
    c = t.indexOf('constructor', c + 11);
  }
}

/**
 * JavaScript evaluated by MongoDB (`$where`, `mapReduce`): a string breakout followed by
 * statements (`'; return true; var x='`, `';sleep(5000);`), a JavaScript comparison
 * joined with `||`/`&&` (`' || 'a'=='a`, `|| 1==1`), and shell calls (`db.users.find(`).
 */
function scanMongoJs(t: string, take: Take): void {
  const n = t.length;
  // db.<collection>.<method>(
  let d = t.indexOf('db.');
  while (d >= 0) {
    if (d === 0 || !isWordChar(t.charCodeAt(d - 1))) {
      let k = d + 3;
      while (k < n && k - d < 40 && (isWordChar(t.charCodeAt(k)) || t.charCodeAt(k) === 46)) k++;
      if (k < n && t.charCodeAt(k) === 40 && t.slice(d + 3, k).indexOf('.') > 0) {
        take(NOSQL_RULES.mongoShell, 'nosqli', d);
        break;
      }
    }
    d = t.indexOf('db.', d + 3);
  }
  // The first quote of each kind ends the application's string (as for SQL): then ; || &&
  // and a JavaScript statement or comparison.
  for (const i of [t.indexOf("'"), t.indexOf('"')]) {
    if (i < 0) continue;
    let k = i + 1;
    while (k < n && k - i < 6 && isBlank(t.charCodeAt(k))) k++;
    const c = k < n ? t.charCodeAt(k) : -1;
    const c2 = k + 1 < n ? t.charCodeAt(k + 1) : -1;
    let op = 0;
    if (c === 59) op = 1;
    else if ((c === 124 && c2 === 124) || (c === 38 && c2 === 38)) op = 2;
    if (op === 0) continue;
    const rest = t.slice(k + op, k + op + 60).trimStart();
    if (op === 1 && RE_JS_STATEMENT.test(rest)) {
      take(NOSQL_RULES.jsBreakout, 'nosqli', i);
      break;
    }
    if (op === 2 && RE_JS_COMPARISON.test(rest)) {
      take(NOSQL_RULES.jsTautology, 'nosqli', i);
      break;
    }
  }
  // `0;return true`: a statement appended to a numeric field of a $where expression.
  const ret = t.indexOf('return');
  if (ret > 0 && RE_SEMI_RETURN.test(t.slice(Math.max(0, ret - 3), ret + 20))) take(NOSQL_RULES.jsTautology, 'nosqli', ret);
  // `|| 1==1` without a quote (a numeric field), `&& this.password.match(...)`
  const oo = t.indexOf('||');
  if (oo >= 0 && RE_BARE_JS_TAUTOLOGY.test(t.slice(oo + 2, oo + 50))) {
    take(NOSQL_RULES.jsTautology, 'nosqli', oo);
  }
  const th = t.indexOf('this.');
  if (th >= 0 && RE_THIS_METHOD.test(t.slice(th, th + 60))) {
    take(NOSQL_RULES.jsTautology, 'nosqli', th);
  }
}

