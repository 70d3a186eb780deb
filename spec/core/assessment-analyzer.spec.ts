import { assert } from '../helpers/counted-assert';
import type { AssessmentSubmission } from '../../lib/core/types';
import { AssessmentAnalyzer } from '../../lib/core/assessment-analyzer';
import type { BaselineStore } from '../../lib/core/assessment-baseline-store';
import { parseAssessmentAnomalyOptions } from '../../lib/core/assessment-config';
import type { AssessmentAnomalyOptions } from '../../lib/detection/assessment-config';
import { MemoryBaselineStore } from '../../lib/stores/memory-baseline-store';
import { DAY_MS, T0, VARIED_12, answers, normal, seeded } from '../helpers/assessment-fixtures';

const MIN = 60_000;

/** An honest 12-item submission: about 10 s per item, ln-time SD 0.3. */
function honest(u: () => number, user: string, atMs: number, type = 'quiz'): AssessmentSubmission {
  const perItem = Math.exp(Math.log(10) + 0.3 * normal(u));
  return { user, type, completionTimeSec: Math.round(perItem * 12 * 10) / 10, responses: answers(VARIED_12), score: Math.round(60 + 10 * normal(u)), submittedAt: new Date(atMs) };
}

/** A shared (not local) store with no samples and no reference, whose appends the test decides. */
function sharedStoreAppending(append: BaselineStore['append']): BaselineStore {
  return {
    kind: 'redis',
    localOnly: false,
    append,
    samples: () => Promise.resolve([]),
    getReference: () => Promise.resolve(undefined),
    putReference: () => Promise.resolve(false),
    deleteReference: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

function analyzer(store: BaselineStore = new MemoryBaselineStore(), options: AssessmentAnomalyOptions = {}, extra: Partial<ConstructorParameters<typeof AssessmentAnalyzer>[0]> = {}) {
  return new AssessmentAnalyzer({ store, config: parseAssessmentAnomalyOptions(options), ...extra });
}

async function feed(a: AssessmentAnalyzer, n: number, startMs: number, stepMs = MIN, prefix = 'h', seed = 1): Promise<number> {
  const u = seeded(seed);
  let t = startMs;
  for (let i = 0; i < n; i++) {
    await a.analyze(honest(u, `${prefix}${i}`, t));
    t += stepMs;
  }
  return t;
}

const rapid = (user: string, atMs: number): AssessmentSubmission => ({ user, type: 'quiz', completionTimeSec: 24, responses: answers(VARIED_12), score: 40, submittedAt: new Date(atMs) });

describe('core/assessment-analyzer', () => {
  it('cold start: no baseline-relative figures until minBaselineSamples accepted submissions', async () => {
    const a = analyzer();
    const first = await a.analyze(honest(seeded(1), 'first', T0));
    assert.equal(first.baseline.coldStart, true);
    assert.equal(first.baseline.n, 0);
    // 24 s for 12 items is above the 1 s/item floor: not flagged while cold...
    assert.equal((await a.analyze(rapid('r0', T0 + MIN))).anomalous, false);
    const t = await feed(a, 40, T0 + 2 * MIN);
    // ...flagged once the baseline knows 10 s/item is normal.
    const v = await a.analyze(rapid('r1', t));
    assert.equal(v.baseline.coldStart, false);
    assert.ok(v.baseline.n >= 30);
    assert.deepEqual(v.anomalies.map((x) => x.type), ['too_fast']);
  });

  it('each user counts once', async () => {
    const a = analyzer();
    const u = seeded(2);
    for (let i = 0; i < 50; i++) await a.analyze(honest(u, 'same-user', T0 + i * MIN));
    const v = await a.analyze(honest(u, 'other', T0 + 60 * MIN));
    assert.equal(v.baseline.n, 1);
  });

  it('flagged submissions never enter the baseline', async () => {
    const store = new MemoryBaselineStore();
    const a = analyzer(store);
    const t = await feed(a, 40, T0);
    for (let i = 0; i < 20; i++) await a.analyze({ ...honest(seeded(i), `x${i}`, t + i * MIN), responses: { ...answers(VARIED_12), comment: "' OR '1'='1" } });
    await a.analyze(rapid('r', t + 30 * MIN));
    const users = (await store.samples('quiz', 0)).map((s) => s.user);
    assert.equal(users.length, 40);
    assert.ok(!users.some((x) => x.startsWith('x') || x === 'r'));
  });

  it('window expiry: samples older than ANOMALY_BASELINE_WINDOW days stop counting', async () => {
    const a = analyzer(new MemoryBaselineStore(), { baselineWindowDays: 2 });
    const t = await feed(a, 40, T0);
    assert.equal((await a.analyze(honest(seeded(9), 'late', t + 2 * MIN))).baseline.n, 40);
    const v = await a.analyze(honest(seeded(9), 'much-later', t + 3 * DAY_MS));
    assert.equal(v.baseline.n, 0);
    assert.equal(v.baseline.coldStart, true);
  });

  it('poisoning: crafted fast-but-accepted submissions (30% of the window) do not switch the speed check off', async () => {
    // An attacker who always submits just above the current threshold, from many accounts.
    async function attack(guard: boolean): Promise<{ caught: number; drift: boolean }> {
      const a = analyzer(new MemoryBaselineStore(), { poisoningGuard: guard });
      let t = await feed(a, 400, T0, 10 * MIN, 'h', 3);
      const u = seeded(4);
      let drift = false;
      for (let i = 0; i < 1200; i++) {
        t += 5 * MIN;
        if (i % 3 === 0) {
          const snap = await a.snapshot('quiz', t);
          const sources = [snap.live, ...(guard && snap.reference ? [snap.reference.stats] : [])];
          let thr = 12;
          for (const s of sources) {
            if (!s.time || s.n < 30) continue;
            const zThr = Math.exp(s.time.median - (3.5 + 3 / Math.sqrt(s.time.n)) * 1.4826 * Math.max(s.time.madLow, 0.05)) * 12;
            thr = Math.max(thr, Math.min(zThr, Math.max(12, 0.3 * Math.exp(s.time.median) * 12)));
          }
          const v = await a.analyze({ ...honest(u, `p${i}`, t), completionTimeSec: thr * 1.05 });
          drift ||= v.baseline.drift;
        } else {
          await a.analyze(honest(u, `h2-${i}`, t));
        }
      }
      let caught = 0;
      for (let i = 0; i < 20; i++) {
        const v = await a.analyze({ ...rapid(`r${i}`, t + (i + 1) * MIN), completionTimeSec: 15 + i });
        if (v.anomalies.some((x) => x.type === 'too_fast')) caught += 1;
      }
      return { caught, drift };
    }
    const guarded = await attack(true);
    const unguarded = await attack(false);
    assert.ok(guarded.caught >= 18, `guard on: caught ${guarded.caught}/20`);
    assert.equal(guarded.drift, true);
    assert.ok(unguarded.caught < guarded.caught, `guard off caught ${unguarded.caught}, on ${guarded.caught}`);
  });

  it('freezes a reference, reports drift through onDrift, and can reset the reference', async () => {
    const events: string[] = [];
    const store = new MemoryBaselineStore();
    const a = analyzer(store, {}, { onReference: (type, action) => events.push(`${type}:${action}`), onDrift: (type, d) => events.push(`${type}:drift=${d.drifting}`) });
    const t = await feed(a, 260, T0, 10 * MIN);
    assert.ok(events.includes('quiz:freeze'));
    assert.ok(await store.getReference('quiz'));
    // A burst of much faster (but above-floor) accepted submissions from new accounts.
    let tt = t;
    for (let i = 0; i < 200; i++) {
      tt += MIN;
      await a.analyze({ ...honest(seeded(100 + i), `fast${i}`, tt), completionTimeSec: 60 });
    }
    assert.ok(events.includes('quiz:drift=true'), events.join(','));
    await a.resetReference('quiz');
    assert.equal(await store.getReference('quiz'), undefined);
  });

  it('two analyzers sharing a store freeze one reference (compare-and-set)', async () => {
    const store = new MemoryBaselineStore();
    const freezes: string[] = [];
    const a = analyzer(store, {}, { onReference: (_t, action) => freezes.push(`a:${action}`) });
    const b = analyzer(store, {}, { onReference: (_t, action) => freezes.push(`b:${action}`), refreshAfterMs: 1 });
    const u = seeded(5);
    for (let i = 0; i < 260; i++) {
      const sub = honest(u, `u${i}`, T0 + i * MIN);
      await (i % 2 ? a : b).analyze(sub);
    }
    assert.equal(freezes.filter((f) => f.endsWith(':freeze')).length, 1, freezes.join(','));
  });

  it('a failing store never fails analyze(): detection goes on, the error is reported as StoreError', async () => {
    const errors: { code?: string; op: string }[] = [];
    const broken: BaselineStore = {
      kind: 'redis',
      localOnly: false,
      append: () => Promise.reject(new Error('ECONNREFUSED')),
      samples: () => Promise.reject(new Error('ECONNREFUSED')),
      getReference: () => Promise.reject(new Error('ECONNREFUSED')),
      putReference: () => Promise.reject(new Error('ECONNREFUSED')),
      deleteReference: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const a = analyzer(broken, {}, { onError: (err, ctx) => errors.push({ code: (err as { code?: string }).code, op: ctx.op }) });
    const v = await a.analyze({ ...honest(seeded(1), 'u', T0), completionTimeSec: 3 });
    assert.deepEqual(v.anomalies.map((x) => x.type), ['too_fast']);
    assert.equal(v.baseline.stale, true);
    const ok = await a.analyze(honest(seeded(2), 'v', T0 + MIN));
    assert.equal(ok.anomalous, false);
    assert.ok(errors.some((e) => e.op === 'load' && e.code === 'ERR_WATCHPOST_BASELINE_STORE'));
    assert.ok(errors.some((e) => e.op === 'append' && e.code === 'ERR_WATCHPOST_BASELINE_STORE'));
  });

  it('background appends do not delay analyze() and are awaited by flush()', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const inner = new MemoryBaselineStore();
    const slow: BaselineStore = {
      kind: 'redis',
      localOnly: false,
      append: async (t, s, e) => {
        await gate;
        return inner.append(t, s, e);
      },
      samples: (t, s) => inner.samples(t, s),
      getReference: (t) => inner.getReference(t),
      putReference: (t, r, e) => inner.putReference(t, r, e),
      deleteReference: (t) => inner.deleteReference(t),
      shutdown: () => inner.shutdown(),
    };
    const a = analyzer(slow, {}, { appendMode: 'background' });
    const v = await a.analyze(honest(seeded(1), 'u', T0));
    assert.equal(v.anomalous, false);
    assert.equal((await inner.samples('quiz', 0)).length, 0);
    const flushed = a.flush();
    release();
    await flushed;
    assert.equal((await inner.samples('quiz', 0)).length, 1);
  });

  it('a backlog that settles (written or failed) makes room again, and flush() with none waits for nothing', async () => {
    const gates: Array<{ ok: boolean; settle: () => void }> = [];
    const store = sharedStoreAppending(
      () =>
        new Promise<void>((resolve, reject) => {
          const ok = gates.length % 2 === 0;
          gates.push({ ok, settle: () => (ok ? resolve() : reject(new Error('store down'))) });
        }),
    );
    const errors: string[] = [];
    const a = analyzer(store, {}, { appendMode: 'background', maxPendingAppends: 2, onError: (err) => errors.push((err as Error).message) });
    for (let i = 0; i < 3; i++) await a.analyze(honest(seeded(i), `u${i}`, T0 + i * MIN));
    assert.equal(gates.length, 2, 'the third sample is dropped while two are pending');
    assert.equal(errors.length, 1);
    // One written, one failed: both leave the backlog.
    const flushed = a.flush();
    for (const g of gates) g.settle();
    await flushed;
    assert.ok(errors.some((m) => /store down/.test(m)), 'the failed append is reported');
    await a.analyze(honest(seeded(9), 'u9', T0 + 9 * MIN));
    assert.equal(gates.length, 3, 'room again after the backlog settled');
    gates[2].settle();
    await a.flush();
    await a.flush();
  });

  it("flush() asks a store that gathers appends to write them now, instead of waiting for the store's timer", async () => {
    let held: Array<() => void> = [];
    let flushed = 0;
    const store: BaselineStore = {
      ...sharedStoreAppending(() => new Promise<void>((resolve) => held.push(resolve))),
      flush: async () => {
        flushed += 1;
        for (const release of held) release();
        held = [];
      },
    };
    const a = analyzer(store, {}, { appendMode: 'background', loadMode: 'background' });
    await feed(a, 3, T0);
    assert.equal(held.length, 3, 'three appends held back by the store');
    await a.flush();
    assert.ok(flushed >= 1);
    assert.equal(held.length, 0);
  });

  it('a hung store cannot grow the background backlog past maxPendingAppends', async () => {
    let appends = 0;
    const hung = sharedStoreAppending(() => {
      appends += 1;
      return new Promise<void>(() => undefined);
    });
    const errors: string[] = [];
    const a = analyzer(hung, {}, { appendMode: 'background', maxPendingAppends: 5, onError: (err) => errors.push((err as Error).message) });
    for (let i = 0; i < 20; i++) await a.analyze(honest(seeded(i), `u${i}`, T0 + i * MIN));
    assert.equal(appends, 5, 'the store saw 5 appends; the other 15 samples were dropped');
    assert.equal(errors.length, 15);
    assert.match(errors[0], /5 appends pending/);
  });

  it('uses the injected text scanner; a throwing one is contained and reported', async () => {
    const errors: unknown[] = [];
    const a = analyzer(new MemoryBaselineStore(), {}, {
      scanText: (v) => {
        if (v.includes('boom')) throw new Error('engine crashed');
        return { attack: v.includes('EVIL'), kinds: ['xss'], score: 1 };
      },
      onError: (err) => errors.push(err),
    });
    const hit = await a.analyze({ ...honest(seeded(1), 'a', T0), responses: { ...answers(VARIED_12), comment: 'EVIL <x>' } });
    assert.deepEqual(hit.anomalies.map((x) => x.type), ['injection']);
    const boom = await a.analyze({ ...honest(seeded(2), 'b', T0 + MIN), responses: { ...answers(VARIED_12), comment: 'boom <x>' } });
    assert.equal(boom.anomalous, false);
    assert.equal(errors.length, 1);
  });

  it('a full baseline records about fullRecordShare of what it could record, the same picks for the same stream; below the cap every one', async () => {
    // Background loads with submissions 100 ms apart: the type reloads at most every 30 s of
    // submission time, so fullness comes from the samples loaded plus the appends since.
    async function run(share?: number, loadMode: 'await' | 'background' = 'await'): Promise<{ before: number; after: number; users: string[] }> {
      const store = new MemoryBaselineStore({ maxSamplesPerType: 50 });
      let appended = 0;
      const append = store.append.bind(store);
      store.append = (type, sample, expireBeforeMs) => {
        appended += 1;
        return append(type, sample, expireBeforeMs);
      };
      const a = analyzer(store, {}, { thinningSeed: 7, loadMode, ...(share === undefined ? {} : { fullRecordShare: share }) });
      const step = loadMode === 'background' ? 100 : MIN;
      const t = await feed(a, 50, T0, step);
      const before = appended;
      await feed(a, 800, t, step, 'f', 3);
      await a.flush();
      const users = (await store.samples('quiz', 0)).map((x) => x.user).sort();
      return { before, after: appended - before, users };
    }
    const first = await run();
    assert.equal(first.before, 50, 'below the cap every accepted submission is recorded');
    // 800 x 0.125 = 100 expected (binomial SD about 9.4).
    assert.ok(first.after >= 70 && first.after <= 130, `recorded ${first.after} of 800 past the cap`);
    // The baseline stays full, of the newest samples.
    assert.equal(first.users.length, 50);
    assert.ok(first.users.every((u) => u.startsWith('f')));
    assert.deepEqual((await run()).users, first.users, 'the same stream (and seed) makes the same picks');
    assert.equal((await run(1)).after, 800, 'fullRecordShare 1 records every one');
    const rare = await run(undefined, 'background');
    assert.ok(rare.after >= 70 && rare.after <= 130, `with rare reloads, recorded ${rare.after} of 800 past the cap`);
  });

  it('a store that caps nothing is never thinned, however many samples it holds; a fullRecordShare outside (0, 1] is refused at construction', async () => {
    let appended = 0;
    const held = Array.from({ length: 100 }, (_, i) => ({ user: `old${i}`, atMs: T0 - 1000 - i, accepted: true, choiceItems: 12, patterns: 0, lnTimePerItem: 2.3 }));
    const a = analyzer({
      ...sharedStoreAppending(() => {
        appended += 1;
        return Promise.resolve();
      }),
      samples: () => Promise.resolve(held),
    });
    await feed(a, 300, T0);
    assert.equal(appended, 300);
    for (const bad of [0, -0.5, 1.5, Number.NaN, '0.5']) {
      assert.throws(() => analyzer(new MemoryBaselineStore(), {}, { fullRecordShare: bad as number }), (err: unknown) => (err as { code?: string }).code === 'ERR_WATCHPOST_INVALID_OPTION' && String(err).includes('fullRecordShare'));
    }
  });

  it('keeps a bounded number of cached types', async () => {
    const a = analyzer(new MemoryBaselineStore(), {}, { maxCachedTypes: 3 });
    for (let i = 0; i < 10; i++) await a.analyze(honest(seeded(i), 'u', T0 + i * MIN, `type${i}`));
    assert.equal((a as unknown as { cache: Map<string, unknown> }).cache.size, 3);
  });
});
