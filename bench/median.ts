/** The median of run times (the upper one of an even count), as the benchmarks report it. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
