/**
 * Answer-pattern indices on the ordered choice answers of one submission: straight-lining
 * (one answer throughout; the "longstring" index of Johnson 2005 / R package `careless`
 * equals the number of items), alternating (two values taking turns) and sequential
 * (cycling through three or more options in a fixed order, or stepping one option at a time
 * up, down or back and forth). Pure; whether a pattern is flagged is decided by the detector
 * (form length and how common the pattern is among ordinary submissions).
 *
 * Each pattern is measured as a number of DEVIATIONS: answers (or transitions) that do not
 * follow it. A pattern is present when its deviations are within the allowed share
 * (`1 - minShare`; none for straight-lining). It is NEAR-1 (NEAR-2) when it misses that by
 * exactly one (two) deviations. Honest answering produces a smooth distribution of deviations,
 * so wherever an exact pattern is honestly common, near patterns are common too; crafted
 * patterns pile up at "present" only. The baseline uses that to tell a common honest pattern
 * from a flood of crafted ones (see `honestPrevalence` in assessment-baseline.ts).
 */

/** Which patterns a sequence shows, with the figures that explain them. */
export interface PatternReport {
  /** Number of choice answers looked at. */
  readonly items: number;
  /** Number of distinct answers. */
  readonly distinct: number;
  /** Longest run of identical consecutive answers. */
  readonly longstring: number;
  readonly allSame: boolean;
  readonly alternating: boolean;
  readonly sequential: boolean;
  /** Exactly one deviation more than the pattern allows. */
  readonly near: { readonly allSame: boolean; readonly alternating: boolean; readonly sequential: boolean };
  /** Exactly two deviations more than the pattern allows. */
  readonly near2: { readonly allSame: boolean; readonly alternating: boolean; readonly sequential: boolean };
  /** For a periodic pattern: its period; for any present pattern: the share that follows it. */
  readonly period?: number;
  readonly matchShare?: number;
  /** For a sequential pattern: how it moves. */
  readonly direction?: 'cycle' | 'ascending' | 'descending' | 'zigzag';
}

/** Bit flags used to store pattern indicators compactly in a baseline sample. */
export const PATTERN_BITS = Object.freeze({
  allSame: 1,
  sequential: 2,
  alternating: 4,
  nearAllSame: 8,
  nearSequential: 16,
  nearAlternating: 32,
  near2AllSame: 64,
  near2Sequential: 128,
  near2Alternating: 256,
});

/** The pattern flags of a report as bits (see {@link PATTERN_BITS}). */
export function patternBits(r: Pick<PatternReport, 'allSame' | 'sequential' | 'alternating' | 'near' | 'near2'>): number {
  return (
    (r.allSame ? PATTERN_BITS.allSame : 0) |
    (r.sequential ? PATTERN_BITS.sequential : 0) |
    (r.alternating ? PATTERN_BITS.alternating : 0) |
    (r.near.allSame ? PATTERN_BITS.nearAllSame : 0) |
    (r.near.sequential ? PATTERN_BITS.nearSequential : 0) |
    (r.near.alternating ? PATTERN_BITS.nearAlternating : 0) |
    (r.near2.allSame ? PATTERN_BITS.near2AllSame : 0) |
    (r.near2.sequential ? PATTERN_BITS.near2Sequential : 0) |
    (r.near2.alternating ? PATTERN_BITS.near2Alternating : 0)
  );
}

/** Longest period tried by the periodicity test. Longer cycles are caught by the ordinal step test. */
const MAX_PERIOD = 12;

interface Periodic {
  readonly period: number;
  /** Positions not matching the phase values. */
  readonly deviations: number;
}

/**
 * For each period p (2..12, at least two full cycles, and no longer than the number of distinct
 * answers, past which no cycle can form): the phase values (the most common
 * answer at each position modulo p) and how many answers differ from them. Returns the best
 * period-2 fit with two different phase values (alternation), and the best fit of a period
 * >= 3 whose phase values are all different (a cycle through p options). A period is given up
 * as soon as its deviations exceed `limit`: such a fit is neither present nor near.
 */
function periodicFits(ids: readonly number[], distinct: number, limit: number): { alternation?: Periodic; cycle?: Periodic } {
  const n = ids.length;
  // A period's phase values are answers, so a period longer than the number of distinct
  // answers cannot have all-different phase values (no cycle); alternation is period 2.
  const maxP = Math.min(MAX_PERIOD, Math.floor(n / 2), Math.max(2, distinct));
  let alternation: Periodic | undefined;
  let cycle: Periodic | undefined;
  const counts: number[] = new Array<number>(distinct).fill(0);
  const phaseValues: number[] = new Array<number>(MAX_PERIOD).fill(-1);
  periods: for (let p = 2; p <= maxP; p++) {
    let matches = 0;
    let seen = 0;
    for (let phase = 0; phase < p; phase++) {
      for (let c = 0; c < distinct; c++) counts[c] = 0;
      // The most common answer at this phase; the first to reach the top count wins ties.
      let best = -1;
      let bestCount = 0;
      for (let j = phase; j < n; j += p) {
        const id = ids[j];
        const c = ++counts[id];
        if (c > bestCount) {
          bestCount = c;
          best = id;
        }
      }
      phaseValues[phase] = best;
      matches += bestCount;
      seen += Math.ceil((n - phase) / p);
      // Past `limit` deviations a fit can be neither present nor near: skip the period.
      if (seen - matches > limit) continue periods;
    }
    const fit = { period: p, deviations: n - matches };
    let distinctPhases = 0;
    for (let a = 0; a < p; a++) {
      let seen = false;
      for (let b = 0; b < a && !seen; b++) seen = phaseValues[b] === phaseValues[a];
      if (!seen) distinctPhases += 1;
    }
    if (p === 2 && distinctPhases === 2) alternation = fit;
    if (p >= 3 && distinctPhases === p && (!cycle || fit.deviations < cycle.deviations)) cycle = fit;
  }
  return { alternation, cycle };
}

interface Steps {
  /** Transitions that do not follow the best stepping direction. */
  readonly deviations: number;
  readonly direction: 'ascending' | 'descending' | 'zigzag';
}

/**
 * Ordinal step test: transitions that move exactly one option up (wrapping from the highest
 * answer to the lowest), one option down (wrapping upward), or one option either way turning
 * back only at the lowest or highest answer (a zigzag sweep: 1-2-3-4-5-4-3-2-1). A turn in the
 * middle of the scale is a deviation: honest answers often move by one option, but rarely
 * sweep the whole scale. Needs an ordinal value for every answer and three distinct values.
 */
function bestSteps(ordinals: readonly number[]): Steps | undefined {
  const n = ordinals.length;
  if (n < 3) return undefined;
  // The distinct values, kept sorted as they are found (a scale has few: a short linear
  // search and insertion each, no set and no sort).
  const distinct: number[] = [];
  for (let j = 0; j < n; j++) {
    const v = ordinals[j];
    if (v !== v) return undefined; // not a scale position
    let k = 0;
    while (k < distinct.length && distinct[k] < v) k++;
    if (k < distinct.length && distinct[k] === v) continue;
    distinct.push(v);
    for (let m = distinct.length - 1; m > k; m--) distinct[m] = distinct[m - 1];
    distinct[k] = v;
  }
  if (distinct.length < 3) return undefined;
  let unit = Infinity;
  for (let i = 1; i < distinct.length; i++) unit = Math.min(unit, distinct[i] - distinct[i - 1]);
  const lo = distinct[0];
  const hi = distinct[distinct.length - 1];
  const eq = (a: number, b: number): boolean => Math.abs(a - b) <= unit * 1e-6;
  let up = 0;
  let down = 0;
  let zig = 0;
  let direction = 0;
  for (let j = 0; j + 1 < n; j++) {
    const a = ordinals[j];
    const b = ordinals[j + 1];
    const d = b - a;
    if (eq(d, unit) || (eq(a, hi) && eq(b, lo))) up += 1;
    if (eq(d, -unit) || (eq(a, lo) && eq(b, hi))) down += 1;
    if (eq(Math.abs(d), unit)) {
      const sign = d > 0 ? 1 : -1;
      if (direction === 0 || sign === direction || eq(a, lo) || eq(a, hi)) zig += 1;
      direction = sign;
    } else {
      direction = 0;
    }
  }
  const t = n - 1;
  // The fewest deviations; the most specific reading wins ties: a cycle (ascending, then
  // descending) before a zigzag.
  if (up >= down && up >= zig) return { deviations: t - up, direction: 'ascending' };
  if (down >= zig) return { deviations: t - down, direction: 'descending' };
  return { deviations: t - zig, direction: 'zigzag' };
}

/**
 * Pattern indices of one ordered sequence of choice answers.
 *
 * @param tokens normalised answers (same answer, same token), in form order
 * @param ordinals the answers' positions on their scale where every answer has one
 *   (numbers, letters a-z, `option3`), else undefined
 * @param minShare share of positions (periodic) or transitions (steps) that must follow the pattern
 */
export function answerPatterns(tokens: readonly string[], ordinals: readonly number[] | undefined, minShare: number): PatternReport {
  const items = tokens.length;
  if (items === 0) {
    const none = { allSame: false, alternating: false, sequential: false };
    return { items: 0, distinct: 0, longstring: 0, allSame: false, alternating: false, sequential: false, near: none, near2: none };
  }
  let longstring = 1;
  let run = 1;
  // Each distinct answer gets a small number (in order of first appearance).
  const idOf = new Map<string, number>();
  const ids: number[] = new Array<number>(items).fill(0);
  const counts: number[] = [];
  let modal = 0;
  for (let j = 0; j < items; j++) {
    if (j > 0) {
      run = tokens[j] === tokens[j - 1] ? run + 1 : 1;
      if (run > longstring) longstring = run;
    }
    let id = idOf.get(tokens[j]);
    if (id === undefined) {
      id = counts.length;
      idOf.set(tokens[j], id);
      counts.push(0);
    }
    ids[j] = id;
    const c = ++counts[id];
    if (c > modal) modal = c;
  }
  const distinct = counts.length;

  // Excess = deviations beyond what the pattern allows (<= 0: present; 1, 2: near bands).
  const sameExcess = items >= 2 ? items - modal : Infinity; // straight-lining allows none
  const allowedPositions = Math.floor((1 - minShare) * items + 1e-9);
  const allowedTransitions = Math.floor((1 - minShare) * (items - 1) + 1e-9);
  // Fits with more than two deviations beyond the allowance decide nothing (see `band`).
  const { alternation, cycle } = distinct >= 2 ? periodicFits(ids, distinct, allowedPositions + 2) : {};
  const altExcess = alternation ? alternation.deviations - allowedPositions : Infinity;
  const steps = ordinals && ordinals.length === items ? bestSteps(ordinals) : undefined;
  const cycleExcess = cycle ? cycle.deviations - allowedPositions : Infinity;
  const stepsExcess = steps ? steps.deviations - allowedTransitions : Infinity;
  const seqExcess = Math.min(cycleExcess, stepsExcess);

  const allSame = sameExcess <= 0;
  const alternating = !allSame && altExcess <= 0;
  const sequential = !allSame && !alternating && seqExcess <= 0;
  const band = (excess: number, present: boolean, k: number): boolean => !present && excess === k;
  const near = { allSame: band(sameExcess, allSame, 1), alternating: band(altExcess, alternating, 1), sequential: band(seqExcess, sequential || alternating, 1) };
  const near2 = { allSame: band(sameExcess, allSame, 2), alternating: band(altExcess, alternating, 2), sequential: band(seqExcess, sequential || alternating, 2) };

  // (Plain object literals: spreading here was the slowest part of the function.)
  if (allSame) return { items, distinct, longstring, allSame: true, alternating: false, sequential: false, near, near2, matchShare: 1 };
  if (alternating) {
    return { items, distinct, longstring, allSame: false, alternating: true, sequential: false, near, near2, period: 2, matchShare: 1 - (alternation as Periodic).deviations / items };
  }
  if (sequential) {
    if (cycle && cycleExcess <= 0 && (!steps || stepsExcess > 0 || cycle.deviations / items <= steps.deviations / (items - 1))) {
      return { items, distinct, longstring, allSame: false, alternating: false, sequential: true, near, near2, period: cycle.period, matchShare: 1 - cycle.deviations / items, direction: 'cycle' };
    }
    const s = steps as Steps;
    return { items, distinct, longstring, allSame: false, alternating: false, sequential: true, near, near2, matchShare: 1 - s.deviations / (items - 1), direction: s.direction };
  }
  return { items, distinct, longstring, allSame: false, alternating: false, sequential: false, near, near2 };
}
