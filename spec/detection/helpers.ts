/**
 * Table helpers for the detection specs: every attack row must be flagged with its kind,
 * every benign row must pass, at the default paranoia level unless a test says otherwise.
 */
import { assert } from '../helpers/counted-assert';
import { createInjectionDetector } from '../../lib/detection';
import type { InjectionDetector } from '../../lib/detection';
import type { AttackKind, ValueLocation } from '../../lib/core/types';

export const detector: InjectionDetector = createInjectionDetector();

/** Registers one `it` per attack row: flagged, and the expected kind among the kinds. */
export function attacks(kind: AttackKind, rows: readonly string[], location: ValueLocation = 'text', d = detector): void {
  for (const value of rows) {
    it(`flags ${kind}: ${JSON.stringify(value).slice(0, 90)}`, () => {
      const v = d.scanValue(value, location, 'p');
      assert.equal(v.attack, true, `not flagged (score ${v.score}, findings ${JSON.stringify(v.findings.map((f) => f.ruleId))})`);
      assert.ok(v.kinds.includes(kind), `kinds ${JSON.stringify(v.kinds)} lack ${kind}`);
    });
  }
}

/** Registers one `it` per benign row: not flagged. */
export function benign(rows: readonly string[], location: ValueLocation = 'text', d = detector): void {
  for (const value of rows) {
    it(`passes: ${JSON.stringify(value).slice(0, 90)}`, () => {
      const v = d.scanValue(value, location, 'p');
      assert.equal(v.attack, false, `flagged (score ${v.score}: ${JSON.stringify(v.findings.map((f) => `${f.ruleId}:${f.score}`))})`);
    });
  }
}
