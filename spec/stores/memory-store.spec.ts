import { assert } from '../helpers/counted-assert';
import { MemoryStore } from '../../lib/stores/memory-store';
import { runStoreContract } from './store-contract';

runStoreContract('memory', async () => new MemoryStore());

describe('MemoryStore: its own guarantees', () => {
  function fakeClock(start = 1_000_000) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }

  it('caps tracked keys and counts evictions (a flood of distinct keys keeps memory bounded)', async () => {
    const store = new MemoryStore({ maxKeys: 1000 });
    for (let i = 0; i < 100_000; i += 1) await store.increment(`flood:${i}`, 60_000);
    assert.equal(store.size, 1000);
    assert.equal(store.evictions, 99_000);
    // The most recent keys survive.
    assert.equal((await store.get('flood:99999', 60_000))?.count, 1);
    assert.equal(await store.get('flood:0', 60_000), undefined);
    await store.shutdown();
  });

  it('a recently used key survives eviction', async () => {
    const store = new MemoryStore({ maxKeys: 3 });
    await store.increment('keep', 60_000);
    await store.increment('a', 60_000);
    await store.increment('b', 60_000);
    await store.increment('keep', 60_000);
    await store.increment('c', 60_000);
    assert.equal((await store.get('keep', 60_000))?.count, 2);
    assert.equal(await store.get('a', 60_000), undefined);
    await store.shutdown();
  });

  it('caps blocks too, evicting the longest-held', async () => {
    const store = new MemoryStore({ maxKeys: 10, maxBlocks: 2 });
    await store.block('x', 60_000);
    await store.block('y', 60_000);
    await store.block('z', 60_000);
    assert.equal(await store.blockedUntil('x'), undefined);
    assert.ok(await store.blockedUntil('z'));
    assert.equal(store.evictions, 1);
    await store.shutdown();
  });

  it('sliding weight with a fake clock: previous bucket decays linearly', async () => {
    const clock = fakeClock(0);
    const store = new MemoryStore({ clock });
    for (let i = 0; i < 10; i += 1) await store.increment('k', 1000);
    clock.advance(1000); // start of next bucket: previous weighs 1
    assert.equal((await store.get('k', 1000))?.count, 10);
    clock.advance(500); // half way: previous weighs 0.5
    assert.equal((await store.get('k', 1000))?.count, 5);
    clock.advance(500); // two buckets later: nothing left
    assert.equal(await store.get('k', 1000), undefined);
    await store.shutdown();
  });

  it('sweep drops expired counters, blocks and claims', async () => {
    const clock = fakeClock(0);
    const store = new MemoryStore({ clock });
    await store.increment('old', 1000);
    await store.block('b', 500);
    await store.claim('c', 'v', 500);
    clock.advance(5000);
    store.sweep();
    assert.equal(store.size, 0);
    assert.deepEqual(await store.listBlocks(), []);
    assert.equal(await store.claim('c', 'w', 500), undefined);
    await store.shutdown();
  });
});
