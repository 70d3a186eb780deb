import { assert } from '../helpers/counted-assert';
import { eventually, uniqueName } from '../helpers/wait';
import { freePort, hasRedisServer, PrivateRedis } from '../helpers/redis-server';
import { RedisStore } from '../../lib/stores/redis-store';
import { MemoryStore } from '../../lib/stores/memory-store';
import { InsuredStore } from '../../lib/core/insured-store';
import { StoreError } from '../../lib/core/errors';
import type { MetricsSink, StoreOp } from '../../lib/core/ports';
import { noopMetrics } from '../../lib/core/ports';
import { runStoreContract } from './store-contract';

const REDIS_URL = process.env.REDIS_URL;

if (!REDIS_URL) {
  console.log('  (Redis store specs not registered: REDIS_URL is not set)');
} else {
  const prefix = `${uniqueName('wptest')}:`;
  const made: RedisStore[] = [];
  runStoreContract('redis', async () => {
    const s = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
    await s.init();
    made.push(s);
    return s;
  });

  describe('RedisStore: its own guarantees', function () {
    this.timeout(20_000);

    after(async () => {
      const s = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
      await s.init();
      await s.clearPrefix();
      await s.shutdown();
    });

    it('keeps every key under its prefix', async () => {
      const p = `${uniqueName('wpprefix')}:`;
      const s = new RedisStore({ url: REDIS_URL, keyPrefix: p });
      await s.init();
      await s.increment('a', 60_000);
      await s.block('b', 60_000);
      await s.claim('c', 'v', 60_000);
      const deleted = await s.clearPrefix();
      assert.equal(deleted, 4, 'counter, block, block index and claim keys, all under the prefix');
      await s.shutdown();
    });

    it('two clients share counters and blocks (two app instances)', async () => {
      const a = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
      const b = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
      await Promise.all([a.init(), b.init()]);
      const k = uniqueName('shared');
      await a.increment(k, 60_000);
      await b.increment(k, 60_000);
      assert.equal((await a.increment(k, 60_000)).count, 3);
      await a.block(k, 60_000);
      assert.ok(await b.blockedUntil(k));
      await b.unblock(k);
      assert.equal(await a.blockedUntil(k), undefined);
      await Promise.all([a.shutdown(), b.shutdown()]);
    });

    it('calls after shutdown reject with StoreError and leave no unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (r: unknown) => void unhandled.push(r);
      process.on('unhandledRejection', onUnhandled);
      try {
        const s = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
        await s.init();
        await s.shutdown();
        for (const call of [() => s.blockedUntil('x'), () => s.increment('x', 1000), () => s.reset('x'), () => s.unblock('x'), () => s.ping(), () => s.claim('x', 'v', 1000)]) {
          await assert.rejects(call(), (e: StoreError) => e instanceof StoreError && /after shutdown/.test(e.message));
        }
        await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(unhandled, []);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('a port where nothing listens: init and every call fail fast with StoreError', async () => {
      const port = await freePort();
      const s = new RedisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 300, commandTimeoutMs: 100 });
      const t0 = Date.now();
      await assert.rejects(s.init(), (e: StoreError) => e instanceof StoreError);
      const t1 = Date.now();
      await assert.rejects(s.increment('k', 1000), (e: StoreError) => e instanceof StoreError && /ERR_WATCHPOST_STORE/.test(e.code));
      const t2 = Date.now();
      assert.ok(t1 - t0 < 1500, `init took ${t1 - t0} ms`);
      assert.ok(t2 - t1 < 500, `a call took ${t2 - t1} ms`);
      await s.shutdown();
    });
  });

  if (!hasRedisServer()) {
    console.log('  (Redis fault specs not registered: no redis-server binary)');
  } else {
    describe('RedisStore under faults (a private redis-server that is killed, frozen and restarted)', function () {
      this.timeout(30_000);
      let server: PrivateRedis;
      beforeEach(async () => {
        server = await PrivateRedis.start();
      });
      afterEach(async () => {
        server.resume();
        await server.stop();
      });

      it('a killed server: calls fail within the timeout, then succeed after a restart', async () => {
        // The client may even reconnect into the dying server's backlog and wait on a socket that
        // never answers: the call still fails by the timeout, and the store replaces the connection.
        const s = new RedisStore({ url: server.url, commandTimeoutMs: 1000, connectTimeoutMs: 3000 });
        await s.init();
        assert.equal((await s.increment('k', 60_000)).count, 1);
        await server.kill();
        const t0 = Date.now();
        await assert.rejects(s.increment('k', 60_000), StoreError);
        assert.ok(Date.now() - t0 < 1800, `failed after ${Date.now() - t0} ms (timeout 1000 ms)`);
        await server.restart();
        await eventually(async () => assert.equal((await s.increment('k2', 60_000)).count, 1), 8000, 100);
        await s.shutdown();
      });

      it('a frozen (hung) server: no call waits past the command timeout', async () => {
        const s = new RedisStore({ url: server.url, commandTimeoutMs: 300, connectTimeoutMs: 1000 });
        await s.init();
        await s.increment('k', 60_000);
        server.pause();
        const started = Date.now();
        const results = await Promise.allSettled(Array.from({ length: 20 }, () => s.increment('k', 60_000)));
        const waited = Date.now() - started;
        // The first ones time out; after a few timeouts the store replaces the connection, which
        // fails the rest at once (unavailable). None succeeds and none waits past the bound.
        assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof StoreError));
        assert.ok(results.some((r) => r.status === 'rejected' && (r.reason as StoreError).code === 'ERR_WATCHPOST_STORE_TIMEOUT'));
        assert.ok(waited < 1500, `callers waited ${waited} ms (timeout 300 ms)`);
        server.resume();
        await eventually(async () => assert.ok((await s.increment('k', 60_000)).count >= 2), 5000, 100);
        await s.shutdown();
      });

      describe('insure policy: memory fallback, errors counted, back to Redis on recovery', () => {
        function countingMetrics() {
          const errors: StoreOp[] = [];
          const fallback: boolean[] = [];
          const m: MetricsSink = { ...noopMetrics, storeError: (_s, op) => void errors.push(op), storeFallback: (a) => void fallback.push(a) };
          return { m, errors, fallback };
        }

        it('Redis killed mid-run: callers keep working on memory, blocks hold, Redis is used again after it restarts', async () => {
          const { m, errors, fallback } = countingMetrics();
          const primary = new RedisStore({ url: server.url, commandTimeoutMs: 400, connectTimeoutMs: 1000 });
          const store = new InsuredStore({ primary, fallback: new MemoryStore(), metrics: m, probeIntervalMs: 100 });
          await store.init();
          await store.block('ip:203.0.113.9', 60_000);
          await store.increment('c', 60_000);
          assert.equal(store.state, 'ok');

          await server.kill();
          const t0 = Date.now();
          const r = await store.increment('c', 60_000);
          assert.ok(Date.now() - t0 < 900, 'the failing call did not hang');
          assert.equal(r.count, 1, 'counted in memory during the outage');
          assert.equal(store.state, 'fallback');
          assert.ok(await store.blockedUntil('ip:203.0.113.9'), 'a block made before the outage still holds');
          await store.block('ip:198.51.100.7', 60_000);
          assert.ok(errors.length >= 1);
          assert.deepEqual(fallback, [true]);

          await server.restart(); // a fresh, empty Redis
          await eventually(() => assert.equal(store.state, 'ok'), 8000, 50);
          assert.deepEqual(fallback, [true, false]);
          // Blocks made during the outage were copied to the fresh Redis.
          const direct = new RedisStore({ url: server.url });
          await direct.init();
          assert.ok(await direct.blockedUntil('ip:198.51.100.7'), 'outage block copied back to Redis');
          assert.ok(await direct.blockedUntil('ip:203.0.113.9'), 'mirrored block copied back to Redis');
          assert.equal((await store.increment('c', 60_000)).count, 1, 'counting goes to Redis again');
          await direct.shutdown();
          await store.shutdown();
        });

        it('an unblock made while Redis is down reaches Redis when it is back', async () => {
          const primary = new RedisStore({ url: server.url, commandTimeoutMs: 400, connectTimeoutMs: 1000 });
          const store = new InsuredStore({ primary, fallback: new MemoryStore(), probeIntervalMs: 100 });
          await store.init();
          await store.block('ip:192.0.2.77', 600_000);
          server.pause(); // Redis keeps its data but answers nothing
          await store.increment('trip', 60_000);
          assert.equal(store.state, 'fallback');
          await store.unblock('ip:192.0.2.77');
          assert.equal(await store.blockedUntil('ip:192.0.2.77'), undefined);
          server.resume();
          await eventually(() => assert.equal(store.state, 'ok'), 8000, 50);
          assert.equal(await store.blockedUntil('ip:192.0.2.77'), undefined, 'the block did not come back from Redis');
          await store.shutdown();
        });

        it('Redis unreachable at start: init falls back at once, nothing waits past the timeout', async () => {
          const port = await freePort();
          const { m } = countingMetrics();
          const store = new InsuredStore({ primary: new RedisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 200, commandTimeoutMs: 100 }), fallback: new MemoryStore(), metrics: m, probeIntervalMs: 100 });
          const t0 = Date.now();
          await store.init();
          assert.ok(Date.now() - t0 < 800, `init took ${Date.now() - t0} ms`);
          assert.equal(store.state, 'fallback');
          assert.equal((await store.increment('x', 60_000)).count, 1);
          assert.ok(store.errors >= 1);
          await store.shutdown();
        });

        it('a hung Redis: each caller waits at most the command timeout once, then memory answers at once', async () => {
          const primary = new RedisStore({ url: server.url, commandTimeoutMs: 400, connectTimeoutMs: 1000 });
          const store = new InsuredStore({ primary, fallback: new MemoryStore(), probeIntervalMs: 100 });
          await store.init();
          server.pause();
          const t0 = Date.now();
          await store.increment('h', 60_000);
          const first = Date.now() - t0;
          const t1 = Date.now();
          for (let i = 0; i < 100; i += 1) await store.increment('h', 60_000);
          const rest = Date.now() - t1;
          assert.ok(first < 900, `first call took ${first} ms (timeout 400 ms)`);
          assert.ok(rest < 200, `100 calls in fallback took ${rest} ms`);
          server.resume();
          await eventually(() => assert.equal(store.state, 'ok'), 8000, 50);
          await store.shutdown();
        });
      });
    });
  }
}
