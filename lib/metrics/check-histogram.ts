/**
 * A histogram with one label, for timings on the request path. Observing is a bucket search
 * and three additions; prom-client's own `observe()` checks and hashes its labels on every
 * call (about 0.5 µs). At scrape time it hands prom-client's registry the same values, in the
 * same shape, as a prom-client Histogram would, so the exposition is the same.
 */
import type { Registry } from 'prom-client';

interface Series {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface ValuePair {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
  /** No exemplars: null on buckets, undefined on sum and count, as prom-client gives them. */
  exemplar: null | undefined;
}

/** One-label histogram registered on a prom-client Registry. */
export class CheckHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** Records `value` (seconds) for one label value. */
  observe(label: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let s = this.series.get(label);
    if (!s) {
      s = { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(label, s);
    }
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i += 1;
    s.counts[i] += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Starts a timer; the function it returns records the seconds elapsed. */
  startTimer(label: string): () => void {
    const start = performance.now();
    return () => this.observe(label, (performance.now() - start) / 1000);
  }

  /** What the registry formats: bucket labels apart from the series' own label (as prom-client's). */
  getForPromString(): { name: string; help: string; type: string; aggregator: string; values: ValuePair[] } {
    const values: ValuePair[] = [];
    for (const [label, s] of this.series) {
      const shared = { [this.labelName]: label };
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i];
        values.push({ labels: { le: this.buckets[i] }, sharedLabels: shared, value: acc, metricName: `${this.name}_bucket`, exemplar: null });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: s.count, metricName: `${this.name}_bucket`, exemplar: null });
      values.push({ labels: {}, sharedLabels: shared, value: s.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: {}, sharedLabels: shared, value: s.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** The same values with all labels together (the registry's JSON form). */
  get(): { name: string; help: string; type: string; aggregator: string; values: ValuePair[] } {
    const data = this.getForPromString();
    data.values = data.values.map((v) => ({ value: v.value, metricName: v.metricName, exemplar: v.exemplar, labels: { ...v.labels, ...v.sharedLabels } }));
    return data;
  }

  /** Forgets every observation (the registry's resetMetrics()). */
  reset(): void {
    this.series.clear();
  }
}
