/**
 * Robust statistics for the assessment anomaly detector: quantiles, the median absolute
 * deviation (MAD) and its one-sided ("double MAD") form, and the modified z-score of
 * Iglewicz & Hoaglin (1993). Pure functions on plain numbers.
 */

/** Factor that turns a MAD into a standard-deviation equivalent for normal data (1 / 0.6745). */
export const MAD_TO_SD = 1.4826;

/**
 * Margin added to a robust z cut estimated from n values: the cut's standard error in z units
 * is about sqrt(1.57 + 1.36 z^2) / sqrt(n) (about 4.3 / sqrt(n) at z = 3.5, from the sampling
 * error of a median and a MAD), and 3 / sqrt(n) is about 0.7 of it. Without it a baseline of 30
 * flags about 0.5% of honest values at |M| > 3.5 instead of about 0.02%.
 */
export const SMALL_SAMPLE_MARGIN = 3;

/** The z cut to use with a baseline of n values: `z + SMALL_SAMPLE_MARGIN / sqrt(n)`. */
export function zCutFor(z: number, n: number): number {
  return z + SMALL_SAMPLE_MARGIN / Math.sqrt(Math.max(n, 1));
}

/** Returns a sorted copy of the finite values. */
export function sortedFinite(values: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of values) if (Number.isFinite(v)) out.push(v);
  out.sort((a, b) => a - b);
  return out;
}

/**
 * Quantile of an already sorted array, linear interpolation between order statistics
 * (Hyndman & Fan type 7, the default of R and NumPy). `NaN` for an empty array.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0];
  const pos = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Median of an already sorted array. */
export function medianSorted(sorted: readonly number[]): number {
  return quantileSorted(sorted, 0.5);
}

/** Robust centre and one-sided spreads of a sample. */
export interface RobustSummary {
  /** Number of finite values summarised. */
  readonly n: number;
  readonly median: number;
  /** Median of |x - median| over the values at or below the median (lower half). */
  readonly madLow: number;
  /** Median of |x - median| over the values at or above the median (upper half). */
  readonly madHigh: number;
  /** Share of the values strictly below the median (below 0.5 when values tie at the median). */
  readonly below: number;
  /** Share of the values strictly above the median. */
  readonly above: number;
}

/**
 * Median and "double MAD" (one MAD per side of the median). A single MAD assumes a
 * symmetric distribution; scores pile up against a ceiling and times have a long right
 * tail, so each tail is judged against the spread on its own side.
 */
export function robustSummary(values: readonly number[]): RobustSummary | undefined {
  const sorted = sortedFinite(values);
  return robustSummarySorted(sorted);
}

/** As {@link robustSummary}, for an already sorted finite array. */
export function robustSummarySorted(sorted: readonly number[]): RobustSummary | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  const median = medianSorted(sorted);
  const low: number[] = [];
  const high: number[] = [];
  let below = 0;
  let above = 0;
  for (const v of sorted) {
    if (v <= median) low.push(median - v);
    if (v >= median) high.push(v - median);
    if (v < median) below += 1;
    else if (v > median) above += 1;
  }
  low.sort((a, b) => a - b);
  high.sort((a, b) => a - b);
  return { n, median, madLow: medianSorted(low), madHigh: medianSorted(high), below: below / n, above: above / n };
}

/**
 * Modified z-score of `x` against a robust summary: 0.6745 (x - median) / MAD, using the MAD
 * of the side `x` falls on, floored at `madFloor` so a sample with no spread cannot make
 * every difference infinite.
 */
export function modifiedZ(x: number, s: RobustSummary, madFloor: number): number {
  const mad = Math.max(x < s.median ? s.madLow : s.madHigh, madFloor);
  if (!(mad > 0)) return x === s.median ? 0 : x < s.median ? -Infinity : Infinity;
  return (x - s.median) / (MAD_TO_SD * mad);
}

/** The value whose modified z is exactly `z` (negative z: below the median). */
export function valueAtZ(z: number, s: RobustSummary, madFloor: number): number {
  const mad = Math.max(z < 0 ? s.madLow : s.madHigh, madFloor);
  return s.median + z * MAD_TO_SD * mad;
}

/** Share of sorted values strictly below `x` (the empirical CDF just left of x). */
export function shareBelowSorted(sorted: readonly number[], x: number): number {
  if (sorted.length === 0) return Number.NaN;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

/** Share of sorted values strictly above `x`. */
export function shareAboveSorted(sorted: readonly number[], x: number): number {
  if (sorted.length === 0) return Number.NaN;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return (sorted.length - lo) / sorted.length;
}

/**
 * Smallest positive gap between distinct sorted values (the score "step": 1 for integer
 * scores, 100/12 for percentages of a 12-item quiz). Gaps below a relative tolerance count as
 * rounding noise. `undefined` when there are fewer than two distinct values.
 */
export function smallestStep(sorted: readonly number[]): number | undefined {
  let step: number | undefined;
  const span = sorted.length > 0 ? Math.abs(sorted[sorted.length - 1] - sorted[0]) : 0;
  const tol = Math.max(span * 1e-9, 1e-12);
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i] - sorted[i - 1];
    if (d > tol && (step === undefined || d < step)) step = d;
  }
  return step;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 on erf; absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0)) return -Infinity;
  if (!(p < 1)) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
