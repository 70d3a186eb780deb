/**
 * The request path's light histogram scrapes exactly as a prom-client Histogram fed the same
 * observations: same text exposition, same JSON, same reset.
 */
import { Histogram, Registry } from 'prom-client';
import { assert } from '../helpers/counted-assert';
import { CheckHistogram } from '../../lib/metrics/check-histogram';
import { createMetrics } from '../../lib/metrics/definitions';

const BUCKETS = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025, 0.1];

describe('metrics/check-histogram', () => {
  it('the same observations give the same exposition (text and JSON) as prom-client', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const light = new CheckHistogram('x_duration_seconds', 'Time.', 'guard', BUCKETS, ours);
    const reference = new Histogram({ name: 'x_duration_seconds', help: 'Time.', labelNames: ['guard'], buckets: BUCKETS, registers: [theirs] });
    // On a bound, between bounds, above the last one, and zero; two label values.
    const seen: Array<[string, number]> = [['injection', 0.00001], ['injection', 0.00003], ['assessment', 0.2], ['injection', 0], ['assessment', 0.0005], ['injection', 0.07]];
    for (let i = 0; i < 50; i += 1) seen.push([i % 3 === 0 ? 'assessment' : 'injection', (i * 37) % 1000 / 1e5]);
    for (const [guard, v] of seen) {
      light.observe(guard, v);
      reference.observe({ guard }, v);
    }
    const text = await ours.metrics();
    assert.equal(text, await theirs.metrics());
    assert.match(text, /x_duration_seconds_bucket\{le="\+Inf",guard="assessment"\} \d+/);
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.resetMetrics();
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.doesNotMatch(await ours.metrics(), /_count/);
  });

  it('a timer records the time between its start and its stop; a value that is no number is left out', async () => {
    const registry = new Registry();
    const h = new CheckHistogram('t_seconds', 'T.', 'guard', BUCKETS, registry);
    const stop = h.startTimer('injection');
    const until = Date.now() + 3;
    while (Date.now() < until) {
      // busy for ~3 ms
    }
    stop();
    h.observe('injection', Number.NaN);
    const json = (await registry.getMetricsAsJSON())[0] as unknown as { values: Array<{ metricName: string; value: number; labels: Record<string, unknown> }> };
    const count = json.values.find((v) => v.metricName === 't_seconds_count');
    const sum = json.values.find((v) => v.metricName === 't_seconds_sum');
    assert.equal(count?.value, 1);
    assert.ok(Number(sum?.value) >= 0.002 && Number(sum?.value) < 1, `sum ${sum?.value} s`);
    const le1ms = json.values.find((v) => v.metricName === 't_seconds_bucket' && v.labels.le === 0.001);
    assert.equal(le1ms?.value, 0, 'a ~3 ms wait is above the 1 ms bucket');
  });

  it("watchpost's check timer is exported as watchpost_check_duration_seconds by guard", async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    metrics.startCheckTimer('injection')();
    metrics.startCheckTimer('made-up')();
    const text = await registry.metrics();
    assert.match(text, /# TYPE watchpost_check_duration_seconds histogram/);
    assert.match(text, /watchpost_check_duration_seconds_count\{guard="injection"\} 1/);
    assert.match(text, /watchpost_check_duration_seconds_count\{guard="other"\} 1/, 'a guard outside the closed set is "other"');
  });
});
