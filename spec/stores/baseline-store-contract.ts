/**
 * Contract suite for {@link BaselineStore} implementations (see lib/core/assessment-baseline-store.ts).
 * Every implementation's spec calls it:
 *
 *     runBaselineStoreContract('redis', async () => new RedisBaselineStore({ url, prefix: uniquePrefix() }));
 *
 * `makeStore` must return a fresh, empty store (a unique key prefix or schema per call is fine).
 * Each test shuts its store down. Options declare the caps the implementation enforces so the
 * cap tests can check them.
 */
import { assert } from '../helpers/counted-assert';
import type { BaselineReference, BaselineSample, BaselineStore } from '../../lib/core/assessment-baseline-store';

/** Caps the store under test enforces (omit the ones it does not). */
export interface BaselineStoreContractOptions {
  readonly maxSamplesPerType?: number;
  readonly maxTypes?: number;
}

const T = Date.UTC(2025, 0, 6);
const DAY = 86_400_000;

function sample(user: string, atMs: number, extra: Partial<BaselineSample> = {}): BaselineSample {
  return { user, atMs, accepted: true, lnTimePerItem: 2.3026, score: 61.5, choiceItems: 12, patterns: 0, ...extra };
}

function reference(frozenAtMs: number, n = 250): BaselineReference {
  return {
    frozenAtMs,
    stats: {
      computedAtMs: frozenAtMs,
      windowStartMs: frozenAtMs - 7 * DAY,
      n,
      time: { n, median: 2.3, madLow: 0.2, madHigh: 0.25, below: 0.5, above: 0.5 },
      patterns: { n, allSame: 1, sequential: 0, alternating: 0, near: { allSame: 2, sequential: 0, alternating: 0 }, near2: { allSame: 1, sequential: 0, alternating: 0 } },
      items: { q1: { n: 40, median: 2.9 } },
    },
  };
}

const byUser = (list: readonly BaselineSample[]): BaselineSample[] => [...list].sort((a, b) => a.user.localeCompare(b.user));

/** Registers the contract tests for one implementation. */
export function runBaselineStoreContract(label: string, makeStore: () => BaselineStore | Promise<BaselineStore>, options: BaselineStoreContractOptions = {}): void {
  describe(`BaselineStore contract: ${label}`, () => {
    let store: BaselineStore;

    beforeEach(async () => {
      store = await makeStore();
      await store.init?.();
    });

    afterEach(async () => {
      await store.shutdown();
    });

    it('declares its kind and locality', () => {
      assert.ok(['memory', 'redis', 'database'].includes(store.kind));
      assert.equal(typeof store.localOnly, 'boolean');
    });

    it('an unknown type has no samples and no reference', async () => {
      assert.deepEqual(await store.samples('nope', 0), []);
      assert.equal(await store.getReference('nope'), undefined);
    });

    it('appended samples round-trip as plain JSON data, optional fields included or absent', async () => {
      const full = sample('a', T, { itemLnTimes: { q1: 2.996, q2: 1.5 }, patterns: 9, accepted: false });
      const bare: BaselineSample = { user: 'b', atMs: T + 1, accepted: true, choiceItems: 0, patterns: 0 };
      await store.append('quiz', full, 0);
      await store.append('quiz', bare, 0);
      const got = byUser(await store.samples('quiz', 0));
      assert.deepEqual(JSON.parse(JSON.stringify(got)), [full, bare]);
    });

    it('a sample is stored as it was when appended: later changes to the caller\'s objects do not reach the store', async () => {
      const itemSec: Record<string, number> = { q1: 4, q2: 7.5 };
      await store.append('quiz', sample('a', T, { itemSec }), 0);
      itemSec.q1 = 999;
      itemSec.q3 = 1;
      const got = await store.samples('quiz', 0);
      assert.deepEqual(got.map((x) => x.itemSec), [{ q1: 4, q2: 7.5 }]);
    });

    it('one sample per user: a newer one replaces the older one', async () => {
      await store.append('quiz', sample('a', T, { score: 1 }), 0);
      await store.append('quiz', sample('a', T + 1000, { score: 2 }), 0);
      const got = await store.samples('quiz', 0);
      assert.equal(got.length, 1);
      assert.equal(got[0].score, 2);
    });

    it('samples(type, since) leaves out older samples', async () => {
      await store.append('quiz', sample('old', T - 10 * DAY), 0);
      await store.append('quiz', sample('new', T), 0);
      assert.deepEqual((await store.samples('quiz', T - 7 * DAY)).map((s) => s.user), ['new']);
    });

    it('append(..., expireBeforeMs) never lets expired samples come back', async () => {
      await store.append('quiz', sample('old', T - 10 * DAY), 0);
      await store.append('quiz', sample('new', T), T - 7 * DAY);
      assert.deepEqual((await store.samples('quiz', 0)).map((s) => s.user), ['new']);
    });

    it('types are isolated', async () => {
      await store.append('quiz', sample('a', T), 0);
      await store.append('survey', sample('b', T), 0);
      assert.deepEqual((await store.samples('quiz', 0)).map((s) => s.user), ['a']);
      assert.deepEqual((await store.samples('survey', 0)).map((s) => s.user), ['b']);
    });

    it('reference: compare-and-set on frozenAtMs, get, delete', async () => {
      assert.equal(await store.putReference('quiz', reference(T), 12345), false, 'no reference yet: only null may set it');
      assert.equal(await store.putReference('quiz', reference(T), null), true);
      assert.deepEqual(await store.getReference('quiz'), reference(T));
      assert.equal(await store.putReference('quiz', reference(T + DAY), null), false, 'a reference exists: null must not overwrite it');
      assert.equal(await store.putReference('quiz', reference(T + DAY), T + 1), false, 'stale token');
      assert.equal(await store.putReference('quiz', reference(T + DAY, 500), T), true);
      assert.equal((await store.getReference('quiz'))?.stats.n, 500);
      assert.equal(await store.getReference('survey'), undefined);
      await store.deleteReference('quiz');
      assert.equal(await store.getReference('quiz'), undefined);
      assert.equal(await store.putReference('quiz', reference(T + 2 * DAY), null), true);
    });

    it('concurrent compare-and-set: exactly one of two racing freezes wins', async () => {
      const results = await Promise.all([store.putReference('quiz', reference(T, 1), null), store.putReference('quiz', reference(T, 2), null)]);
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('mutating returned data does not change the store', async () => {
      await store.append('quiz', sample('a', T), 0);
      const [got] = await store.samples('quiz', 0);
      try {
        (got as { score?: number }).score = 999;
      } catch {
        // frozen objects may throw in strict mode: that is fine too
      }
      assert.equal((await store.samples('quiz', 0))[0].score, 61.5);
    });

    if (options.maxSamplesPerType !== undefined) {
      const cap = options.maxSamplesPerType;
      it(`keeps at most ${cap} samples per type, dropping the oldest`, async () => {
        for (let i = 0; i < cap + 5; i++) await store.append('quiz', sample(`u${i}`, T + i * 1000), 0);
        const got = await store.samples('quiz', 0);
        assert.equal(got.length, cap);
        assert.ok(!got.some((s) => s.user === 'u0'));
        assert.ok(got.some((s) => s.user === `u${cap + 4}`));
      });
    }

    if (options.maxTypes !== undefined) {
      const cap = options.maxTypes;
      it(`keeps at most ${cap} types; samples of further types are dropped, existing ones kept`, async () => {
        for (let i = 0; i < cap + 3; i++) await store.append(`type${i}`, sample('a', T), 0);
        assert.equal((await store.samples('type0', 0)).length, 1);
        assert.equal((await store.samples(`type${cap + 2}`, 0)).length, 0);
      });
    }

    it('shutdown can be called twice', async () => {
      await assert.doesNotReject(async () => {
        await store.shutdown();
        await store.shutdown();
      });
    });
  });
}
