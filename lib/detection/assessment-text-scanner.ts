/**
 * The seam through which the assessment detector asks "is this free-text answer an injection
 * attempt?": a synchronous function of the text. The project's injection engine answers it
 * ({@link engineTextScanner}); `ScanVerdict` already has the right shape.
 */
import { createInjectionDetector, type ParanoiaLevel } from './index';

/** What a text scanner says about one string. `ScanVerdict` from core/types.ts satisfies it. */
export interface TextScanResult {
  readonly attack: boolean;
  readonly kinds: readonly string[];
  readonly score: number;
}

/** Scans one free-text value. Must be synchronous, total (never throw) and bounded in time. */
export type TextScanner = (value: string) => TextScanResult;

/**
 * The project's injection engine as a text scanner: free-text answers are judged at the
 * `answer` location (formatting markup such as `<b>` is weak evidence there), at the given
 * paranoia level (default: the engine's default).
 */
export function engineTextScanner(paranoia?: ParanoiaLevel): TextScanner {
  const detector = createInjectionDetector(paranoia === undefined ? {} : { paranoia });
  return function engineScanner(value: string): TextScanResult {
    return detector.scanValue(value, 'answer');
  };
}

/**
 * Wraps a scanner so that a throwing or malformed scanner can never break detection: errors
 * and bad results count as "not an attack" and are reported through `onError`.
 */
export function safeTextScanner(scan: TextScanner, onError?: (err: unknown) => void): TextScanner {
  return function guardedTextScanner(value: string): TextScanResult {
    try {
      const r = scan(value);
      if (r && typeof r.attack === 'boolean') {
        return { attack: r.attack, kinds: Array.isArray(r.kinds) ? r.kinds.map(String) : [], score: Number.isFinite(r.score) ? r.score : 0 };
      }
      onError?.(new TypeError('text scanner returned a malformed result'));
    } catch (err) {
      onError?.(err);
    }
    return { attack: false, kinds: [], score: 0 };
  };
}
