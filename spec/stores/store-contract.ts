/**
 * The CounterStore contract, run against every implementation (memory always, Redis when
 * REDIS_URL is set). Windows are ~100-200 ms so the suite runs on real time everywhere.
 */
import { assert } from '../helpers/counted-assert';
import { sleep } from '../helpers/wait';
import type { CounterStore } from '../../lib/core/ports';

/** Registers the contract suite for one store implementation. */
export function runStoreContract(label: string, makeStore: () => Promise<CounterStore>): void {
  describe(`CounterStore contract: ${label}`, function () {
    this.timeout(10_000);
    let store: CounterStore;
    let n = 0;
    const key = (name: string) => `contract:${label}:${name}:${process.pid}:${Date.now()}:${(n += 1)}`;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.shutdown();
    });

    it('the first hit counts 1 and counts go up', async () => {
      const k = key('up');
      const a = await store.increment(k, 60_000);
      const b = await store.increment(k, 60_000);
      const c = await store.increment(k, 60_000);
      assert.deepEqual([a.count, b.count, c.count], [1, 2, 3]);
      assert.ok(c.resetAt.getTime() > Date.now() - 1000, 'resetAt is the end of the current bucket');
      assert.ok(c.resetAt.getTime() <= Date.now() + 60_000 + 1000);
    });

    it('get reads without counting, and is undefined for an unknown key', async () => {
      const k = key('get');
      assert.equal(await store.get(k, 60_000), undefined);
      await store.increment(k, 60_000);
      await store.increment(k, 60_000);
      assert.equal((await store.get(k, 60_000))?.count, 2);
      assert.equal((await store.get(k, 60_000))?.count, 2);
    });

    it('counts age out: after two windows a new hit counts 1 again', async () => {
      const k = key('expire');
      const w = 120;
      await store.increment(k, w);
      await store.increment(k, w);
      await sleep(2 * w + 60);
      assert.equal((await store.increment(k, w)).count, 1);
    });

    it('the window slides: hits of the previous bucket still weigh in right after a boundary', async () => {
      const k = key('slide');
      const w = 400;
      // Start right after a bucket boundary so all five hits land in one bucket.
      await sleep(w - (Date.now() % w) + 5);
      for (let i = 0; i < 5; i += 1) await store.increment(k, w);
      // Cross into the next bucket; within its first fifth the previous five still count mostly.
      await sleep(w - (Date.now() % w) + 5);
      const after = await store.increment(k, w);
      assert.ok(after.count >= 5, `expected the previous bucket to weigh in, got ${after.count}`);
      assert.ok(after.count <= 6);
    });

    it('decrement lowers the count and stops at 0', async () => {
      const k = key('dec');
      await store.increment(k, 60_000);
      await store.increment(k, 60_000);
      await store.decrement(k, 60_000);
      assert.equal((await store.get(k, 60_000))?.count, 1);
      await store.decrement(k, 60_000);
      await store.decrement(k, 60_000);
      assert.equal(await store.get(k, 60_000), undefined);
      assert.equal((await store.increment(k, 60_000)).count, 1);
    });

    it('reset forgets a key', async () => {
      const k = key('reset');
      await store.increment(k, 60_000);
      await store.increment(k, 60_000);
      await store.reset(k);
      assert.equal(await store.get(k, 60_000), undefined);
      assert.equal((await store.increment(k, 60_000)).count, 1);
    });

    it('keys are isolated', async () => {
      const a = key('iso-a');
      const b = key('iso-b');
      await store.increment(a, 60_000);
      await store.increment(a, 60_000);
      assert.equal((await store.increment(b, 60_000)).count, 1);
      assert.equal((await store.get(a, 60_000))?.count, 2);
    });

    it('concurrent increments are atomic', async () => {
      const k = key('atomic');
      const results = await Promise.all(Array.from({ length: 50 }, () => store.increment(k, 60_000)));
      const counts = results.map((r) => r.count).sort((x, y) => x - y);
      assert.deepEqual(counts, Array.from({ length: 50 }, (_, i) => i + 1));
    });

    it('block, blockedUntil, unblock', async () => {
      const k = key('block');
      assert.equal(await store.blockedUntil(k), undefined);
      const before = Date.now();
      await store.block(k, 60_000);
      const until = await store.blockedUntil(k);
      assert.ok(until instanceof Date);
      assert.ok(Math.abs(until.getTime() - (before + 60_000)) < 2000, `until ${until.toISOString()}`);
      await store.unblock(k);
      assert.equal(await store.blockedUntil(k), undefined);
    });

    it('a block expires on time', async () => {
      const k = key('block-expiry');
      await store.block(k, 150);
      assert.ok(await store.blockedUntil(k));
      await sleep(250);
      assert.equal(await store.blockedUntil(k), undefined);
    });

    it('a new block replaces the earlier one', async () => {
      const k = key('reblock');
      await store.block(k, 60_000);
      await store.block(k, 120_000);
      const until = await store.blockedUntil(k);
      assert.ok(until && until.getTime() > Date.now() + 100_000);
    });

    it('listBlocks lists active blocks only', async () => {
      const live = key('list-live');
      const short = key('list-short');
      const lifted = key('list-lifted');
      await store.block(live, 60_000);
      await store.block(short, 100);
      await store.block(lifted, 60_000);
      await store.unblock(lifted);
      await sleep(200);
      const keys = (await store.listBlocks()).map((b) => b.key);
      assert.ok(keys.includes(live));
      assert.ok(!keys.includes(short));
      assert.ok(!keys.includes(lifted));
      const entry = (await store.listBlocks()).find((b) => b.key === live);
      assert.ok(entry && entry.until.getTime() > Date.now());
    });

    it('claim: the first caller wins, later ones see the holder, and it expires', async () => {
      const k = key('claim');
      assert.equal(await store.claim(k, 'first', 150), undefined);
      assert.equal(await store.claim(k, 'second', 150), 'first');
      await sleep(250);
      assert.equal(await store.claim(k, 'third', 150), undefined);
    });

    it('concurrent claims have exactly one winner', async () => {
      const k = key('claim-race');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claim(k, `c${i}`, 60_000)));
      const winners = results.filter((r) => r === undefined);
      assert.equal(winners.length, 1);
      const holder = results.find((r) => r !== undefined);
      assert.ok(results.every((r) => r === undefined || r === holder));
    });

    it('shutdown can be called twice', async () => {
      await store.shutdown();
      await store.shutdown();
      assert.ok(true, 'second shutdown resolved');
    });
  });
}
