/**
 * Findings collected while scanning one value, before the engine adds the location and
 * the path. Kept apart from the rules so that every rule builds snippets the same way.
 */
import type { AttackKind } from '../core/types';

/** Characters a snippet shows as blanks. */
const RE_CONTROL = /[\x00-\x1f\x7f\u2028\u2029]/;

/** Regular expressions of this module (every one is checked by recheck in the test suite). */
export const FINDINGS_REGEXES: readonly RegExp[] = [RE_CONTROL];

/** Longest snippet kept in a finding, in characters. */
export const MAX_SNIPPET = 80;

/** A rule's id and the score it contributes (each module's rule table is made of these). */
export interface Rule {
  readonly id: string;
  readonly score: number;
}

/** A rule that matched one value. */
export interface RawFinding {
  readonly kind: AttackKind;
  readonly ruleId: string;
  readonly score: number;
  readonly snippet: string;
}

/**
 * A short, printable excerpt of `text` around `[start, end)`: at most {@link MAX_SNIPPET}
 * characters, control characters shown as spaces, an ellipsis where it was cut.
 */
export function makeSnippet(text: string, start: number, end: number): string {
  const n = text.length;
  let a = Math.max(0, Math.min(start, n));
  let b = Math.max(a, Math.min(end, n));
  if (b - a > MAX_SNIPPET - 2) b = a + MAX_SNIPPET - 2;
  // Show a little context before the match when there is room.
  const room = MAX_SNIPPET - 2 - (b - a);
  if (room > 0 && a > 0) a = Math.max(0, a - Math.min(room, 12));
  let out = text.slice(a, b);
  // Never cut a surrogate pair in half.
  if (out.length > 0) {
    const last = out.charCodeAt(out.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
    const first = out.charCodeAt(0);
    if (first >= 0xdc00 && first <= 0xdfff) out = out.slice(1);
  }
  let clean = out;
  if (RE_CONTROL.test(out)) {
    clean = '';
    for (let i = 0; i < out.length; i++) {
      const c = out.charCodeAt(i);
      clean += c < 32 || c === 0x7f || c === 0x2028 || c === 0x2029 ? ' ' : out.charAt(i);
    }
  }
  return (a > 0 ? '…' : '') + clean + (b < n ? '…' : '');
}

/** Findings of one value. The engine creates one per scanned value. */
export class FindingList {
  readonly items: RawFinding[] = [];

  add(kind: AttackKind, ruleId: string, score: number, text: string, start: number, end: number): void {
    this.items.push({ kind, ruleId, score, snippet: makeSnippet(text, start, end) });
  }

  /** Highest score recorded for a kind (0 when none). */
  best(kind: AttackKind): number {
    let best = 0;
    for (const f of this.items) if (f.kind === kind && f.score > best) best = f.score;
    return best;
  }
}
