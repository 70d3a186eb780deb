/**
 * Turns one submission's raw answers into the plain features the checks read: the items in
 * form order, the choice answers as tokens (and scale positions where they have one), the
 * strings to scan for injection, and the timings. Never throws on odd input: unknown value
 * shapes are counted and skipped, sizes are capped by the config.
 */
import type { AssessmentSubmission } from '../core/types';
import type { AssessmentAnomalyConfig } from './assessment-config';

/** Kind of one answer value. */
export type AnswerKind = 'number' | 'boolean' | 'token' | 'text' | 'empty' | 'other';

/** A string found in the answers (or an answer key), for the text scanner. */
export interface TextValue {
  /** Where it sits: `q7`, `q7.note`, `q7[2]`, or `q7 (key)` for a key itself. */
  readonly path: string;
  readonly value: string;
}

/** Everything the checks need from one submission. */
export interface SubmissionFeatures {
  /** Item keys looked at, in form order (at most `maxItems`). */
  readonly itemKeys: readonly string[];
  /** True when the submission had more items than `maxItems`. */
  readonly truncated: boolean;
  /** Items with an answer (not null, undefined or an empty string). */
  readonly answered: number;
  /** The choice answers (the dominant answer kind), normalised, in form order. */
  readonly choiceTokens: readonly string[];
  /** Keys of the choice answers, aligned with `choiceTokens`. */
  readonly choiceKeys: readonly string[];
  /** Scale positions of the choice answers when every one has one. */
  readonly choiceOrdinals?: readonly number[];
  /**
   * Strings to scan (values, nested values and keys), capped at `maxScannedStrings`. Plain
   * words (letters, digits, spaces, `.`, `_`, `-`, `,`, `?`, `!`) are left out: they cannot
   * carry injection syntax, and leaving them out keeps the cap for the strings that can.
   */
  readonly texts: readonly TextValue[];
  /** True when more strings needed scanning than the cap allowed. */
  readonly textsTruncated: boolean;
  /** Completion time when it is a finite number >= 0. */
  readonly completionTimeSec?: number;
  /** ln(completion time / answered items): the per-item log time the baselines use. */
  readonly lnTimePerItem?: number;
  /** Valid item times (finite, >= 0) by item key. */
  readonly itemTimesSec: Readonly<Record<string, number>>;
  /** Number of keys of `itemTimesSec` (items or not). */
  readonly itemTimeCount: number;
  /** The valid item time of `itemKeys[i]` at index i, NaN where the item has none: read by index, not by key. */
  readonly itemSecAt: readonly number[];
  /** Score when it is a finite number. */
  readonly score?: number;
  /** Fields that were present but unusable, with what was wrong. */
  readonly invalid: readonly { readonly field: string; readonly observed: unknown; readonly expected: string }[];
}

const RE_WHITESPACE_RUN = /\s+/g;
const RE_NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const RE_LETTER = /^[a-z]$/;
const RE_SUFFIX_NUMBER = /^[a-z_\- ]{0,12}?(\d{1,4})$/;

/** Common ordered answer labels (Likert agreement and frequency scales). */
const LABEL_ORDINALS: Readonly<Record<string, number>> = Object.freeze({
  'strongly disagree': 1,
  disagree: 2,
  'somewhat disagree': 2.5,
  neutral: 3,
  'neither agree nor disagree': 3,
  'somewhat agree': 3.5,
  agree: 4,
  'strongly agree': 5,
  never: 1,
  rarely: 2,
  sometimes: 3,
  often: 4,
  always: 5,
});

function wordCount(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const space = s.charCodeAt(i) <= 32;
    if (!space && !inWord) n += 1;
    inWord = !space;
  }
  return n;
}

/** Sentence punctuation: a short string with a space and one of these is prose, not an option label. */
const RE_PROSE_PUNCTUATION = /[.,!?:;()"]/;

function kindOf(v: unknown, maxChoiceLength: number): AnswerKind {
  if (v === null || v === undefined) return 'empty';
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : 'other';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.length === 0) return 'empty';
    if (RE_NUMERIC.test(t)) return 'number';
    const words = wordCount(t);
    if (t.length <= maxChoiceLength && words <= 4 && !(words > 1 && RE_PROSE_PUNCTUATION.test(t))) return 'token';
    return 'text';
  }
  return 'other';
}

/**
 * The keys that are form items. When most keys are a common prefix plus a number (`q1`..`q20`),
 * keys of another shape (`comment`, `email`) are extra fields, not items of the answer sequence;
 * otherwise every key is an item.
 */
/**
 * A key's non-numeric prefix and its trailing digits (`q12` -> `q`, `12`), or undefined when
 * it does not end in a digit. A scan from the end: linear whatever the key (keys come from the
 * request body; a backtracking regex here would be quadratic).
 */
function splitKeyNumber(key: string): [string, string] | undefined {
  let i = key.length;
  while (i > 0) {
    const c = key.charCodeAt(i - 1);
    if (c < 48 || c > 57) break;
    i -= 1;
  }
  return i === key.length ? undefined : [key.slice(0, i), key.slice(i)];
}

function itemKeySet(keys: readonly string[]): Set<string> | undefined {
  if (keys.length < 4) return undefined;
  const byPrefix = new Map<string, number>();
  for (const k of keys) {
    const m = splitKeyNumber(k);
    if (m) byPrefix.set(m[0], (byPrefix.get(m[0]) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [prefix, count] of byPrefix) {
    if (count > bestCount) {
      best = prefix;
      bestCount = count;
    }
  }
  if (best === undefined || bestCount === keys.length || bestCount < 0.6 * keys.length) return undefined;
  const set = new Set<string>();
  for (const k of keys) {
    const m = splitKeyNumber(k);
    if (m && m[0] === best && m[1].length <= 9) set.add(k);
  }
  return set;
}

/** What one short string answer is, worked out once (answers repeat from form to form). */
interface AnswerFacts {
  readonly kind: AnswerKind;
  readonly token: string;
  readonly ordinal: number | undefined;
  /** Plain words: nothing for the text scanner. */
  readonly plain: boolean;
}

/** Longest answer string whose facts are remembered. */
const MEMO_MAX_LENGTH = 64;
/** Entries per memory; a memory is emptied when full. */
const MEMO_MAX_ENTRIES = 4096;
/** Facts of short string answers, by `maxChoiceLength` (the only setting they depend on). */
const answerMemo = new Map<number, Map<string, AnswerFacts>>();

/** The memory of answer facts for one `maxChoiceLength`. */
function answerMemoFor(maxChoiceLength: number): Map<string, AnswerFacts> {
  let memo = answerMemo.get(maxChoiceLength);
  if (!memo) {
    if (answerMemo.size >= 16) answerMemo.clear();
    memo = new Map();
    answerMemo.set(maxChoiceLength, memo);
  }
  return memo;
}

function stringAnswerFacts(v: string, maxChoiceLength: number, memo: Map<string, AnswerFacts>): AnswerFacts {
  let facts = memo.get(v);
  if (facts === undefined) {
    const kind = kindOf(v, maxChoiceLength);
    const token = kind === 'number' || kind === 'token' ? tokenOf(v, kind) : '';
    facts = { kind, token, ordinal: token === '' ? undefined : ordinalOf(token, kind), plain: isPlainText(v) };
    if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
    memo.set(v, facts);
  }
  return facts;
}

function tokenOf(v: unknown, kind: AnswerKind): string {
  if (kind === 'number') return String(Number(typeof v === 'string' ? v.trim() : v));
  if (kind === 'boolean') return v ? 'true' : 'false';
  return String(v).trim().toLowerCase().replace(RE_WHITESPACE_RUN, ' ');
}

function ordinalOf(token: string, kind: AnswerKind): number | undefined {
  if (kind === 'number') return Number(token);
  if (kind === 'boolean') return token === 'true' ? 1 : 0;
  if (RE_LETTER.test(token)) return token.charCodeAt(0) - 96;
  const label = LABEL_ORDINALS[token];
  if (label !== undefined) return label;
  const m = RE_SUFFIX_NUMBER.exec(token);
  return m ? Number(m[1]) : undefined;
}

/**
 * Item keys in form order. When most keys (60% or more) are one prefix plus a number (`q1`..`q40`,
 * `1`..`12`), those are put in numeric order, so a client that sends them shuffled does not
 * hide a pattern, and other keys (`comment`) follow in the order they came; otherwise the
 * order in which the client sent the keys is kept.
 */
export function orderItemKeys(keys: readonly string[]): string[] {
  if (keys.length < 2) return [...keys];
  const set = keys.length < 4 ? allNumbered(keys) : (itemKeySet(keys) ?? allNumbered(keys));
  if (!set) return [...keys];
  const numbered = keys.filter((k) => set.has(k));
  const nums = new Map(numbered.map((k) => [k, Number((splitKeyNumber(k) as [string, string])[1])]));
  const sorted = numbered
    .map((k, i) => ({ k, i }))
    .sort((a, b) => (nums.get(a.k) as number) - (nums.get(b.k) as number) || a.i - b.i)
    .map((x) => x.k);
  return [...sorted, ...keys.filter((k) => !set.has(k))];
}

/** The form's layout: its item keys in form order and which of them are numbered items. */
interface Layout {
  /** The key list it was worked out for, as sent. */
  readonly keys: readonly string[];
  readonly itemKeys: readonly string[];
  readonly itemSet: Set<string> | undefined;
  /** For each of itemKeys: is it an item of the answer sequence (true without an item set)? */
  readonly isItem: readonly boolean[];
  /** For each of itemKeys: may the key itself carry injection syntax? */
  readonly scanKey: readonly boolean[];
  /** True when itemKeys are the keys in the order sent: the i-th value is the i-th item's. */
  readonly inOrder: boolean;
}

/** Layouts by key list (a form sends the same keys every time); emptied when full. */
const layoutMemo = new Map<string, Layout>();
const LAYOUT_MEMO_MAX = 256;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The layout used last: forms come in runs of the same key list, checked key by key. */
let lastLayout: Layout | undefined;

function layoutOf(keys: readonly string[]): Layout {
  if (lastLayout !== undefined && sameKeys(lastLayout.keys, keys)) return lastLayout;
  lastLayout = layoutFor(keys);
  return lastLayout;
}

function layoutFor(keys: readonly string[]): Layout {
  const signature = keys.join('\u0000');
  let layout = layoutMemo.get(signature);
  // Keys may themselves hold U+0000, so two key lists can share a signature: check the hit.
  if (layout === undefined || !sameKeys(layout.keys, keys)) {
    const itemKeys = Object.freeze(orderItemKeys(keys));
    const itemSet = itemKeySet(itemKeys);
    layout = {
      keys: Object.freeze([...keys]),
      itemKeys,
      itemSet,
      isItem: itemKeys.map((k) => !itemSet || itemSet.has(k)),
      scanKey: itemKeys.map((k) => !(k.length <= 256 && isPlainText(k))),
      inOrder: itemKeys.every((k, i) => k === keys[i]),
    };
    if (layoutMemo.size >= LAYOUT_MEMO_MAX) layoutMemo.clear();
    layoutMemo.set(signature, layout);
  }
  return layout;
}

/** The keys as a set when every one is the same prefix plus a number of at most 9 digits. */
function allNumbered(keys: readonly string[]): Set<string> | undefined {
  let prefix: string | undefined;
  for (const k of keys) {
    const m = splitKeyNumber(k);
    if (!m || m[1].length > 9) return undefined;
    if (prefix === undefined) prefix = m[0];
    else if (prefix !== m[0]) return undefined;
  }
  return new Set(keys);
}

/** Plain words: no quote, bracket, operator or separator that injection syntax needs. */
const RE_PLAIN_TEXT = /^[\p{L}\p{N}\p{Zs}._,?!-]*$/u;

/** RE_PLAIN_TEXT, with a quick answer for ASCII letters, digits and blanks. */
function isPlainText(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const simple = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 32;
    if (!simple) return RE_PLAIN_TEXT.test(value);
  }
  return true;
}

/** Collects the strings worth scanning, up to a cap, walking nested answers to a bounded depth. */
class TextCollector {
  readonly out: TextValue[] = [];
  truncated = false;
  private visited = 0;

  constructor(
    private readonly max: number,
    private readonly maxLen: number,
  ) {}

  /** Counts a top-level string answer already known to be plain words, as walk() would. */
  skipPlain(): void {
    if (++this.visited > this.max * 8) this.truncated = true;
  }

  /** True when the string may carry injection syntax, so it is worth scanning. */
  wants(value: string): boolean {
    return !(value.length <= 256 && isPlainText(value));
  }

  add(path: string, value: string): void {
    if (!this.wants(value)) return;
    if (this.out.length >= this.max) {
      this.truncated = true;
      return;
    }
    this.out.push({ path, value: value.length > this.maxLen ? value.slice(0, this.maxLen) : value });
  }

  walk(value: unknown, path: string, depth: number): void {
    // Bounded work: at most 8 x max nodes visited, depth 4.
    if (++this.visited > this.max * 8) {
      this.truncated = true;
      return;
    }
    if (typeof value === 'string') {
      this.add(path, value);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (depth >= 4) {
      this.truncated = true;
      return;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (this.visited > this.max * 8) break;
        this.walk(value[i], `${path}[${i}]`, depth + 1);
      }
      return;
    }
    for (const key of Object.keys(value as Record<string, unknown>)) {
      if (this.visited > this.max * 8) break;
      this.add(`${path}.${key} (key)`, key);
      this.walk((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Scratch lists of extractFeatures (kinds and remembered facts by item position). */
const KINDS_SCRATCH: AnswerKind[] = [];
const FACTS_SCRATCH: Array<AnswerFacts | undefined> = [];

/** Extracts the features of one submission. Total: never throws, whatever the input holds. */
export function extractFeatures(sub: AssessmentSubmission, config: AssessmentAnomalyConfig): SubmissionFeatures {
  const invalid: { field: string; observed: unknown; expected: string }[] = [];
  const responses: Record<string, unknown> = isPlainObject(sub.responses) ? (sub.responses as Record<string, unknown>) : {};
  if (!isPlainObject(sub.responses)) invalid.push({ field: 'responses', observed: typeof sub.responses, expected: 'an object of answers' });

  const allKeys = Object.keys(responses);
  const truncated = allKeys.length > config.maxItems;
  const { itemKeys, isItem, scanKey, inOrder } = layoutOf(truncated ? allKeys.slice(0, config.maxItems) : allKeys);
  // The answers, item by item: in one pass when the items are in the order sent (no lookup per
  // key; a proxy whose listings disagree is read key by key).
  const inOrderValues = inOrder ? Object.values(responses) : undefined;
  const values: readonly unknown[] = inOrderValues && inOrderValues.length === allKeys.length ? inOrderValues : itemKeys.map((k) => responses[k]);

  // Per-item scratch, reused from call to call (the function is synchronous): no lists grown
  // per submission for what is read twice and then dropped.
  const kinds = KINDS_SCRATCH;
  const facts = FACTS_SCRATCH;
  let answered = 0;
  const kindCounts = { number: 0, boolean: 0, token: 0 };
  const memo = answerMemoFor(config.maxChoiceLength);
  for (let i = 0; i < itemKeys.length; i++) {
    const v = values[i];
    const f = typeof v === 'string' && v.length <= MEMO_MAX_LENGTH ? stringAnswerFacts(v, config.maxChoiceLength, memo) : undefined;
    facts[i] = f;
    const k = f ? f.kind : kindOf(v, config.maxChoiceLength);
    kinds[i] = k;
    if (k !== 'empty') answered += 1;
    if ((k === 'number' || k === 'boolean' || k === 'token') && isItem[i]) kindCounts[k] += 1;
  }
  // The dominant choice kind: on a numeric Likert form a short comment is not an answer
  // option, and on a lettered quiz a stray number is not one either. Extra fields next to
  // numbered items are left out of the sequence too.
  let dominant: AnswerKind | undefined;
  let best = 0;
  for (const k of ['number', 'token', 'boolean'] as const) {
    if (kindCounts[k] > best) {
      best = kindCounts[k];
      dominant = k;
    }
  }
  // `best` items have the dominant kind: the lists are made at their size.
  const choiceTokens: string[] = new Array<string>(best);
  const choiceKeys: string[] = new Array<string>(best);
  const ordinals: number[] = new Array<number>(best);
  let allOrdinal = true;
  if (dominant !== undefined) {
    let c = 0;
    for (let i = 0; i < itemKeys.length; i++) {
      if (kinds[i] !== dominant || !isItem[i]) continue;
      const f = facts[i];
      const token = f ? f.token : tokenOf(values[i], dominant);
      choiceTokens[c] = token;
      choiceKeys[c] = itemKeys[i];
      const o = f ? f.ordinal : ordinalOf(token, dominant);
      if (o === undefined || !Number.isFinite(o)) allOrdinal = false;
      else ordinals[c] = o;
      c += 1;
    }
  }

  const collector = new TextCollector(config.maxScannedStrings, config.maxTextLength);
  for (let i = 0; i < itemKeys.length; i++) {
    const key = itemKeys[i];
    if (scanKey[i]) collector.add(`${key} (key)`, key);
    const f = facts[i];
    if (f && f.plain) collector.skipPlain();
    else collector.walk(values[i], key, 0);
  }
  if (truncated) collector.truncated = true;

  let completionTimeSec: number | undefined;
  let lnTimePerItem: number | undefined;
  const t = sub.completionTimeSec as unknown;
  if (typeof t === 'number' && Number.isFinite(t) && t >= 0) {
    completionTimeSec = t;
    if (t > 0) lnTimePerItem = Math.log(t / Math.max(answered, 1));
  } else {
    invalid.push({ field: 'completionTimeSec', observed: typeof t === 'number' ? String(t) : typeof t, expected: 'a finite number of seconds >= 0' });
  }

  let itemTimesSec: Record<string, number> = {};
  let itemTimeCount = 0;
  // A plain array: a typed array costs more to allocate than these few numbers cost to hold.
  const itemSecAt: number[] = new Array<number>(itemKeys.length).fill(Number.NaN);
  if (sub.itemTimesSec !== undefined && sub.itemTimesSec !== null) {
    if (!isPlainObject(sub.itemTimesSec)) {
      invalid.push({ field: 'itemTimesSec', observed: typeof sub.itemTimesSec, expected: 'an object of seconds by item' });
    } else {
      let badCount = 0;
      let firstBad: { key: string; value: unknown } | undefined;
      let seen = 0;
      const timeKeys = Object.keys(sub.itemTimesSec);
      const given = sub.itemTimesSec as Record<string, unknown>;
      // Values in one pass: reading a 60-key object key by key costs a lookup per key.
      const times = Object.values(given);
      // The common case, every time valid and within the cap: the object is read as it is.
      let allValid = timeKeys.length <= config.maxItems;
      for (let i = 0; i < times.length && allValid; i++) {
        const v = times[i];
        allValid = typeof v === 'number' && Number.isFinite(v) && v >= 0;
      }
      // Times usually come in the form's order: then the i-th time is the i-th item's.
      let aligned = allValid && timeKeys.length <= itemKeys.length && times.length === timeKeys.length;
      for (let i = 0; i < timeKeys.length && aligned; i++) aligned = timeKeys[i] === itemKeys[i];
      if (allValid) {
        itemTimesSec = given as Record<string, number>;
        itemTimeCount = timeKeys.length;
      } else {
        for (const key of timeKeys) {
          if (seen++ >= config.maxItems) break;
          const v = (sub.itemTimesSec as Record<string, unknown>)[key];
          if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
            itemTimesSec[key] = v;
            itemTimeCount += 1;
          } else {
            badCount += 1;
            firstBad ??= { key, value: v };
          }
        }
      }
      if (aligned) {
        for (let i = 0; i < times.length; i++) itemSecAt[i] = times[i] as number;
      } else {
        for (let i = 0; i < itemKeys.length; i++) {
          if (Object.prototype.hasOwnProperty.call(itemTimesSec, itemKeys[i])) itemSecAt[i] = itemTimesSec[itemKeys[i]];
        }
      }
      if (firstBad) {
        invalid.push({
          field: `itemTimesSec.${firstBad.key}`,
          observed: typeof firstBad.value === 'number' ? String(firstBad.value) : typeof firstBad.value,
          expected: `finite seconds >= 0 (${badCount} bad item time${badCount === 1 ? '' : 's'})`,
        });
      }
    }
  }

  let score: number | undefined;
  const s = sub.score as unknown;
  if (s !== undefined && s !== null) {
    if (typeof s === 'number' && Number.isFinite(s)) score = s;
    else invalid.push({ field: 'score', observed: typeof s === 'number' ? String(s) : typeof s, expected: 'a finite number' });
  }

  return {
    itemKeys,
    truncated,
    answered,
    choiceTokens,
    choiceKeys,
    choiceOrdinals: allOrdinal ? ordinals : undefined,
    texts: collector.out,
    textsTruncated: collector.truncated,
    completionTimeSec,
    lnTimePerItem,
    itemTimesSec,
    itemTimeCount,
    itemSecAt,
    score,
    invalid,
  };
}

/** The regexes of this module, for the recheck spec (regex-registry.ts). */
export const ASSESSMENT_FEATURE_REGEXES: readonly RegExp[] = [RE_WHITESPACE_RUN, RE_NUMERIC, RE_LETTER, RE_SUFFIX_NUMBER, RE_PROSE_PUNCTUATION, RE_PLAIN_TEXT];
