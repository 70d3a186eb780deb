/**
 * The injection detection engine: normalises a value, runs the rules of each attack
 * class, and turns their findings into a verdict at the configured paranoia level.
 * `scanObject` walks parsed bodies and queries iteratively, with caps.
 */
import type { AttackKind, Finding, ScanIncompleteReason, ScanInput, ScanVerdict, ValueLocation } from '../core/types';
import type { DetectorConfig } from './options';
import {
  normalizeValue, EV_MULTI_ENCODED, EV_OVERLONG_UTF8, EV_INVALID_ESCAPE, EV_PERCENT_U, EV_NULL_BYTE, EV_COMPAT_FORMS,
  EV_INVISIBLE,
} from './normalize';
import { FindingList, makeSnippet } from './findings';
import {
  M_LT, M_COLON, M_PAREN, M_BACKTICK, M_BRACE, M_EQ, M_HIGH, M_SLASH, M_BSLASH, M_PERCENT, M_DOLLAR,
  M_UNDERSCORE, M_BRACKET, M_PIPE, M_SEMI, M_AMP, M_DOT,
} from './char-classes';
import type { RawFinding } from './findings';
import { SqlAnalyzer } from './sql-injection';
import { scanXss } from './xss';
import { scanCommand } from './command-injection';
import { scanPath } from './path-traversal';
import { scanNoSql, judgeKey } from './nosql-injection';
import { scanSsjs } from './ssjs';

/** Most findings kept in one verdict (a request with many bad values still gets a small report). */
export const MAX_FINDINGS = 32;
/** Longest path kept in a finding. */
const MAX_PATH = 200;

/** Evasion signals, strongest first, with the bonus each adds to the value's top finding. */
const EVASIONS: readonly { flag: number; id: string }[] = [
  { flag: EV_OVERLONG_UTF8, id: 'evasion.overlong_utf8' },
  { flag: EV_NULL_BYTE, id: 'evasion.null_byte' },
  { flag: EV_INVALID_ESCAPE, id: 'evasion.invalid_escape' },
  { flag: EV_MULTI_ENCODED, id: 'evasion.multiple_encoding' },
  { flag: EV_PERCENT_U, id: 'evasion.percent_u' },
  { flag: EV_COMPAT_FORMS, id: 'evasion.fullwidth' },
  { flag: EV_INVISIBLE, id: 'evasion.invisible_characters' },
];
const EVASION_MASK = EVASIONS.reduce((m, e) => m | e.flag, 0);

const XSS_CHARS = M_LT | M_COLON | M_PAREN | M_BACKTICK | M_BRACE | M_EQ;
// (Every wrapper has `/`; `c:\boot.ini` has `\`; leftovers of broken escapes are `%` or M_HIGH.)
const PATH_CHARS = M_SLASH | M_BSLASH | M_PERCENT | M_HIGH;
const NOSQL_CHARS = M_DOLLAR | M_UNDERSCORE | M_BRACKET | M_PIPE | M_SEMI | M_AMP | M_PAREN;

/** A value with no finding. Shared and frozen: a clean scan allocates nothing. */
const CLEAN: ScanVerdict = Object.freeze({ attack: false, score: 0, kinds: Object.freeze([]), findings: Object.freeze([]) });

const KEY_LOCATION: Partial<Record<ValueLocation, ValueLocation>> = { query: 'query_key', query_key: 'query_key' };

function isKeyLocation(location: ValueLocation): boolean {
  return location === 'query_key' || location === 'body_key';
}

function isHeaderLocation(location: ValueLocation): boolean {
  return location === 'header' || location === 'user_agent' || location === 'referer';
}

/** UTF-8 length of a string, counting no further than `limit + 1`. */
function utf8LengthUpTo(s: string, limit: number): number {
  if (s.length * 3 <= limit) return s.length; // cannot exceed; the exact size is not needed
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    if (bytes > limit) return bytes;
  }
  return bytes;
}

/** Index at which `s` reaches `limit` UTF-8 bytes. */
function utf8Cut(s: string, limit: number): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const b = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    if (bytes + b > limit) return i;
    bytes += b;
  }
  return s.length;
}

/** Accumulates the findings of one call into a verdict. */
class VerdictBuilder {
  score = 0;
  findings: Finding[] | undefined;
  kinds: AttackKind[] | undefined;
  incomplete: { reason: ScanIncompleteReason; path: string } | undefined;
  bytes = 0;
  items = 0;
  keys = 0;

  constructor(private readonly threshold: number) {}

  addValue(raw: readonly RawFinding[], location: ValueLocation, path: string): void {
    if (raw.length === 0) return;
    // Score of each kind = its best finding plus the evasion bonus attached to it.
    for (const f of raw) {
      const total = kindScore(raw, f.kind);
      if (total > this.score) this.score = total;
      if (total >= this.threshold) {
        if (!this.kinds) this.kinds = [];
        if (!this.kinds.includes(f.kind)) this.kinds.push(f.kind);
      }
    }
    if (!this.findings) this.findings = [];
    for (const f of raw) {
      if (this.findings.length >= MAX_FINDINGS) break;
      this.findings.push({ kind: f.kind, ruleId: f.ruleId, score: f.score, location, path, snippet: f.snippet });
    }
  }

  markIncomplete(reason: ScanIncompleteReason, path: string): void {
    if (!this.incomplete) this.incomplete = { reason, path: path.length > MAX_PATH ? path.slice(0, MAX_PATH) + '…' : path };
  }

  build(): ScanVerdict {
    if (!this.findings && !this.incomplete) return CLEAN;
    const attack = this.score >= this.threshold;
    const verdict: { -readonly [K in keyof ScanVerdict]: ScanVerdict[K] } = {
      attack,
      score: this.score,
      kinds: attack && this.kinds ? this.kinds : [],
      findings: this.findings ?? [],
    };
    if (this.incomplete) verdict.incomplete = this.incomplete;
    return verdict;
  }
}

function kindScore(raw: readonly RawFinding[], kind: AttackKind): number {
  let best = 0;
  let bonus = 0;
  for (const f of raw) {
    if (f.kind !== kind) continue;
    if (f.ruleId.startsWith('evasion.')) bonus += f.score;
    else if (f.score > best) best = f.score;
  }
  return best + Math.min(bonus, 2);
}

interface Frame {
  readonly value: object;
  readonly isArray: boolean;
  readonly keys: readonly string[] | undefined;
  /** An object's values, aligned with `keys`: read in one pass, not key by key. */
  readonly values: readonly unknown[] | undefined;
  /** Set when none of `keys` has a finding of its own (keysClean): the remembered list. */
  readonly known: KeyList | undefined;
  readonly length: number;
  index: number;
  readonly path: string;
  readonly depth: number;
  readonly key: string | undefined;
}

/** A key list found clean (keysClean), with which of its keys' values are skipped. */
interface KeyList {
  readonly keys: readonly string[];
  readonly parentKey: string | undefined;
  readonly location: ValueLocation;
  /** Positions whose values `skipValuesOf` skips (secrets); undefined when none. */
  readonly skipped: readonly boolean[] | undefined;
}

function joinPath(base: string, key: string): string {
  const p = base.length === 0 ? key : `${base}.${key}`;
  return p.length > MAX_PATH ? p.slice(0, MAX_PATH) + '…' : p;
}

function indexPath(base: string, i: number): string {
  const p = `${base}[${i}]`;
  return p.length > MAX_PATH ? p.slice(0, MAX_PATH) + '…' : p;
}

/** Longest value whose findings are remembered (form keys, choices, route paths, enum values). */
const MEMO_MAX_LENGTH = 64;
/** Values remembered per location class; the class's memory is emptied when it is full. */
const MEMO_MAX_ENTRIES = 4096;
const NO_FINDINGS: readonly RawFinding[] = Object.freeze([]);
/** Key lists whose cleanness is remembered (a body has a few objects: top level, answers, times). */
const KEY_LISTS_KEPT = 8;
/** Longest key list whose cleanness is judged up front. */
const KEY_LIST_MAX_KEYS = 256;

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The locations that judge alike: 0 values, 1 keys, 2 headers, 3 typed answers. */
function memoClass(location: ValueLocation): number {
  return isKeyLocation(location) ? 1 : isHeaderLocation(location) ? 2 : location === 'answer' ? 3 : 0;
}

/** The detector. Create once per process with `createInjectionDetector()`. */
export class Engine {
  private readonly sql = new SqlAnalyzer();
  /** Set by judge() when a rule ran out of its work budget on the last value. */
  private exhausted = false;
  /**
   * Findings of short values already judged, by location class. Judging is a pure function
   * of the value and its location class, and short values repeat from request to request
   * (form keys, answer choices, route paths), so a repeat costs one map lookup. Bounded:
   * a class's memory is emptied when it reaches MEMO_MAX_ENTRIES.
   */
  private readonly memo: Map<string, readonly RawFinding[]>[] = [new Map(), new Map(), new Map(), new Map()];
  /** The last key lists keysClean() found clean. */
  private readonly keyLists: KeyList[] = [];

  constructor(readonly config: DetectorConfig) {}

  /** Findings of one string (already within its size cap); remembered for short values. */
  private judge(value: string, location: ValueLocation): readonly RawFinding[] {
    if (value.length > MEMO_MAX_LENGTH) return this.judgeFresh(value, location);
    const memo = this.memo[memoClass(location)];
    const known = memo.get(value);
    if (known !== undefined) {
      this.exhausted = false;
      return known;
    }
    const found = this.judgeFresh(value, location);
    if (!this.exhausted) {
      if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
      memo.set(value, found.length === 0 ? NO_FINDINGS : Object.freeze(found));
    }
    return found;
  }

  /** Findings of one string, judged by every rule family it can reach. */
  private judgeFresh(value: string, location: ValueLocation): RawFinding[] {
    const nv = normalizeValue(value);
    const out = new FindingList();
    const key = isKeyLocation(location);
    const header = isHeaderLocation(location);
    // Which characters occur decides which rule families can match at all: prose made of
    // letters, blanks and ordinary punctuation only reaches the SQL and shell rules.
    const mask = nv.mask | nv.markupMask;
    this.sql.scan(nv, out, !header && !key);
    this.exhausted = this.sql.exhausted;
    // (The US-ASCII charset trick, `¼script¾`, has none of those characters until decoded.)
    if (mask & XSS_CHARS || (mask & M_HIGH && nv.raw.indexOf('\u00bc') >= 0)) scanXss(nv, out, location === 'answer');
    scanCommand(nv, out, mask);
    if (mask & PATH_CHARS || nv.raw.indexOf('%') >= 0 || nv.text.indexOf('0x') >= 0) scanPath(nv, out);
    if (mask & NOSQL_CHARS || key) scanNoSql(nv, out, key);
    if (mask & M_PAREN || (mask & M_DOT && nv.markup.indexOf('process') >= 0)) scanSsjs(nv, out);
    if (nv.flags & EVASION_MASK) {
      let top: RawFinding | undefined;
      const items = out.items;
      for (let i = 0; i < items.length; i++) if (!top || items[i].score > top.score) top = items[i];
      // A stray `%` (`100%Guaranteed`, `%Math.pow%`) is common in text: it only counts for paths,
      // where broken escapes are the separators of a traversal. It never hides a stronger trick.
      const usable = top && top.kind === 'path' ? nv.flags : nv.flags & ~EV_INVALID_ESCAPE;
      let ev: (typeof EVASIONS)[number] | undefined;
      for (let i = 0; i < EVASIONS.length; i++) {
        if (usable & EVASIONS[i].flag) {
          ev = EVASIONS[i];
          break;
        }
      }
      if (top && top.score >= 4 && ev) {
        // An encoding trick makes whatever it hid more certain.
        out.items.push({ kind: top.kind, ruleId: ev.id, score: 1, snippet: top.snippet });
      } else if (!top && (nv.flags & (EV_OVERLONG_UTF8 | EV_NULL_BYTE)) !== 0) {
        // Overlong UTF-8 and NUL bytes have no business in a form value: a weak path signal
        // of its own (flagged from paranoia level 3).
        const overlong = (nv.flags & EV_OVERLONG_UTF8) !== 0;
        out.items.push({
          kind: 'path',
          ruleId: overlong ? 'path.overlong_encoding' : 'path.null_byte',
          score: overlong ? 5 : 4,
          snippet: makeSnippet(nv.raw, 0, 60),
        });
      }
    }
    return out.items;
  }

  /**
   * Scans one string into `b`, applying the per-value and total caps. Its path is `base`,
   * or `base.key` when a key is given: built only when a finding or a cap needs it.
   */
  private scanString(value: string, location: ValueLocation, base: string, b: VerdictBuilder, key?: string, knownClean = false): boolean {
    const limits = this.config.limits;
    if (value.length === 0) return true;
    let v = value;
    const size = utf8LengthUpTo(v, limits.maxValueBytes);
    if (size > limits.maxValueBytes) {
      v = v.slice(0, utf8Cut(v, limits.maxValueBytes));
      b.markIncomplete('size', key === undefined ? base : joinPath(base, key));
    }
    const cost = Math.min(size, limits.maxValueBytes);
    if (b.bytes + cost > limits.maxTotalBytes) {
      b.markIncomplete('budget', key === undefined ? base : joinPath(base, key));
      return false;
    }
    b.bytes += cost;
    // A key of a key list already judged clean (see keysClean) counts toward the budget only.
    if (knownClean) return true;
    const found = this.judge(v, location);
    if (found.length > 0) b.addValue(found, location, key === undefined ? base : joinPath(base, key));
    if (this.exhausted) b.markIncomplete('budget', key === undefined ? base : joinPath(base, key));
    return true;
  }

  /**
   * The remembered list when no key of `keys` has a finding of its own (operator, prototype,
   * injection syntax) under `parentKey` at `location`: such a list's keys then cost the walk
   * no lookup each, and which of its keys hold secrets (`skipValuesOf`, a function of the key
   * name) is asked once. Forms send the same key lists request after request, so the last
   * KEY_LISTS_KEPT clean lists are remembered (compared key by key). Lists of more than
   * KEY_LIST_MAX_KEYS keys, or with a key longer than the findings memory keeps, are judged key
   * by key as they are walked (undefined).
   */
  private keysClean(keys: readonly string[], parentKey: string | undefined, location: ValueLocation): KeyList | undefined {
    if (keys.length > KEY_LIST_MAX_KEYS) return undefined;
    for (const known of this.keyLists) {
      if (known.parentKey === parentKey && known.location === location && sameStrings(known.keys, keys)) return known;
    }
    let clean = true;
    const maxBytes = this.config.limits.maxValueBytes;
    for (let i = 0; i < keys.length && clean; i++) {
      const k = keys[i];
      if (k.length === 0) continue;
      clean = k.length <= MEMO_MAX_LENGTH && k.length * 3 <= maxBytes && judgeKey(k, parentKey) === undefined && this.judge(k, location).length === 0 && !this.exhausted;
    }
    this.exhausted = false;
    // Only clean lists are kept: they hold short keys only, and an attack's list is judged again.
    if (!clean) return undefined;
    const skip = this.config.skipValuesOf;
    let skipped: boolean[] | undefined;
    if (skip) {
      for (let i = 0; i < keys.length; i++) {
        if (!skip(keys[i])) continue;
        skipped ??= new Array<boolean>(keys.length).fill(false);
        skipped[i] = true;
      }
    }
    const list: KeyList = { keys, parentKey, location, skipped };
    if (this.keyLists.length >= KEY_LISTS_KEPT) this.keyLists.shift();
    this.keyLists.push(list);
    return list;
  }

  scanValue(value: string, location: ValueLocation = 'text', path = ''): ScanVerdict {
    try {
      const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
      // The common case: a value well under every cap that turns out clean allocates no builder.
      if (s.length * 3 <= this.config.limits.maxValueBytes && s.length * 3 <= this.config.limits.maxTotalBytes) {
        if (s.length === 0) return CLEAN;
        const found = this.judge(s, location);
        if (found.length === 0 && !this.exhausted) return CLEAN;
        const fast = new VerdictBuilder(this.config.threshold);
        fast.addValue(found, location, path);
        if (this.exhausted) fast.markIncomplete('budget', path);
        return fast.build();
      }
      const b = new VerdictBuilder(this.config.threshold);
      this.scanString(s, location, path, b);
      return b.build();
    } catch {
      return this.failed(path);
    }
  }

  scanInputs(inputs: readonly ScanInput[]): ScanVerdict {
    try {
      const b = new VerdictBuilder(this.config.threshold);
      if (!Array.isArray(inputs)) return CLEAN;
      const max = this.config.limits.maxItems;
      for (let i = 0; i < inputs.length; i++) {
        if (i >= max) {
          b.markIncomplete('items', String(inputs[i]?.path ?? ''));
          break;
        }
        const input = inputs[i];
        if (!input) continue;
        const value = input.value;
        const location = (input.location ?? 'text') as ValueLocation;
        const path = typeof input.path === 'string' ? input.path : '';
        if (typeof value === 'string') {
          if (!this.scanString(value, location, path, b)) break;
          if (isKeyLocation(location)) this.judgeKeyInto(value, undefined, location, path, b, false);
        } else if (value !== null && typeof value === 'object') {
          this.walkGuarded(value, location, path, b);
        }
      }
      return b.build();
    } catch {
      return this.failed('');
    }
  }

  scanObject(root: unknown, location: ValueLocation, pathPrefix = ''): ScanVerdict {
    const b = new VerdictBuilder(this.config.threshold);
    this.walkGuarded(root, location, pathPrefix, b);
    return b.build();
  }

  private walkGuarded(root: unknown, location: ValueLocation, pathPrefix: string, b: VerdictBuilder): void {
    try {
      this.walk(root, location, pathPrefix, b);
    } catch {
      // Something in the object threw (a getter, a proxy): keep what was found, and say
      // that the walk did not finish.
      b.markIncomplete('budget', pathPrefix);
    }
  }

  /** A scan that failed unexpectedly is never a silent pass. */
  private failed(path: string): ScanVerdict {
    return { attack: false, score: 0, kinds: [], findings: [], incomplete: { reason: 'budget', path } };
  }

  /** The key's own rules; the finding's path is `base.key` (`base` itself when `keyInPath` is false). */
  private judgeKeyInto(key: string, parentKey: string | undefined, location: ValueLocation, base: string, b: VerdictBuilder, keyInPath = true): void {
    const k = judgeKey(key, parentKey);
    if (k) {
      b.addValue([{ kind: k.kind, ruleId: k.rule.id, score: k.rule.score, snippet: makeSnippet(key, 0, 60) }], location, keyInPath ? joinPath(base, key) : base);
    }
  }

  /** Iterative depth-first walk; memory is bounded by `maxDepth` frames. */
  private walk(root: unknown, location: ValueLocation, pathPrefix: string, b: VerdictBuilder): void {
    const limits = this.config.limits;
    const skip = this.config.skipValuesOf;
    const keyLocation: ValueLocation = KEY_LOCATION[location] ?? 'body_key';
    if (typeof root === 'string') {
      this.scanString(root, location, pathPrefix, b);
      return;
    }
    const stack: Frame[] = [];
    const seen = new Set<object>();
    const push = (value: unknown, path: string, depth: number, key: string | undefined): boolean => {
      if (value === null || typeof value !== 'object') return true;
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return true; // Buffers: binary, not text
      if (seen.has(value)) return true;
      if (depth > limits.maxDepth) {
        b.markIncomplete('depth', path);
        return true;
      }
      seen.add(value);
      if (Array.isArray(value)) {
        stack.push({ value, isArray: true, keys: undefined, values: undefined, known: undefined, length: value.length, index: 0, path, depth, key });
      } else {
        const keys = Object.keys(value);
        // Object.values follows the order of Object.keys (both are the own enumerable string
        // keys); a proxy may answer the two differently: then values are read key by key.
        const values = Object.values(value);
        stack.push({
          value,
          isArray: false,
          keys,
          values: values.length === keys.length ? values : undefined,
          known: this.keysClean(keys, key, keyLocation),
          length: keys.length,
          index: 0,
          path,
          depth,
          key,
        });
      }
      return true;
    };
    push(root, pathPrefix, 0, undefined);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame.index >= frame.length) {
        stack.pop();
        continue;
      }
      const i = frame.index++;
      let child: unknown;
      let childPath: string;
      let childKey: string | undefined;
      if (frame.isArray) {
        if (++b.items > limits.maxItems) {
          b.markIncomplete('items', indexPath(frame.path, i));
          return;
        }
        child = (frame.value as unknown[])[i];
        childPath = indexPath(frame.path, i);
        childKey = frame.key;
      } else {
        const key = (frame.keys as readonly string[])[i];
        if (++b.keys > limits.maxKeys) {
          b.markIncomplete('keys', joinPath(frame.path, key));
          return;
        }
        childKey = key;
        // The key itself: `$ne`, `__proto__`, `constructor` > `prototype`, `<script>`.
        const known = frame.known;
        if (!known) this.judgeKeyInto(key, frame.key, keyLocation, frame.path, b);
        if (!this.scanString(key, keyLocation, frame.path, b, key, known !== undefined)) return;
        if (known ? known.skipped !== undefined && known.skipped[i] : skip !== undefined && skip(key)) continue;
        child = frame.values ? frame.values[i] : (frame.value as Record<string, unknown>)[key];
        // The path of a string value is built only when it is needed.
        if (typeof child === 'string') {
          if (!this.scanString(child, location, frame.path, b, key)) return;
          continue;
        }
        childPath = child !== null && typeof child === 'object' ? joinPath(frame.path, key) : '';
      }
      if (typeof child === 'string') {
        if (!this.scanString(child, location, childPath, b)) return;
      } else if (child !== null && typeof child === 'object') {
        push(child, childPath, frame.depth + 1, childKey);
      }
      // numbers, booleans, bigint, undefined, symbols, functions: nothing to scan
    }
  }
}
