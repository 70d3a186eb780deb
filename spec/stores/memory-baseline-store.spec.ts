import { assert } from '../helpers/counted-assert';
import { MemoryBaselineStore } from '../../lib/stores/memory-baseline-store';
import { runBaselineStoreContract } from './baseline-store-contract';

runBaselineStoreContract('memory', () => new MemoryBaselineStore({ maxSamplesPerType: 50, maxTypes: 4 }), { maxSamplesPerType: 50, maxTypes: 4 });

describe('stores/memory-baseline-store', () => {
  const T = Date.UTC(2025, 0, 6);
  const s = (user: string, atMs: number) => ({ user, atMs, accepted: true, choiceItems: 12, patterns: 0 });

  it('applies an append synchronously, before the promise is awaited', async () => {
    const store = new MemoryBaselineStore();
    const p = store.append('quiz', s('a', T), 0);
    assert.equal((await store.samples('quiz', 0)).length, 1);
    await p;
  });

  it('an older sample does not replace a newer one of the same user', async () => {
    const store = new MemoryBaselineStore();
    await store.append('quiz', s('a', T + 1000), 0);
    await store.append('quiz', s('a', T), 0);
    assert.equal((await store.samples('quiz', 0))[0].atMs, T + 1000);
  });

  it('counts samples dropped for the type cap and never evicts an existing type', async () => {
    const store = new MemoryBaselineStore({ maxTypes: 2 });
    await store.append('a', s('x', T), 0);
    await store.append('b', s('x', T), 0);
    await store.append('c', s('x', T), 0);
    assert.equal(store.typeCount(), 2);
    assert.equal(store.droppedForTypeCap, 1);
    assert.equal(await store.putReference('c', { frozenAtMs: T, stats: {} as never }, null), false);
  });

  it('stays bounded under a flood of distinct users', async () => {
    const store = new MemoryBaselineStore({ maxSamplesPerType: 1000 });
    for (let i = 0; i < 20000; i++) await store.append('quiz', s(`u${i}`, T + i), 0);
    assert.equal((await store.samples('quiz', 0)).length, 1000);
  });
});
