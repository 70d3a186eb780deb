import type { DataSource } from 'typeorm';
import { assert } from '../helpers/counted-assert';
import { testDatabases, type TestDatabase } from '../helpers/databases';
import { parseDatabaseUrl } from '../../lib/config/parsers';
import { createDataSource, runMigrations } from '../../lib/persistence/data-source';
import { TypeOrmBaselineStore } from '../../lib/persistence/typeorm-baseline-store';
import { StoreError } from '../../lib/core/errors';
import { runBaselineStoreContract } from '../stores/baseline-store-contract';

for (const target of testDatabases()) {
  describe(`TypeOrmBaselineStore on ${target.label}`, function () {
    this.timeout(30_000);
    let db: TestDatabase;
    let ds: DataSource;
    before(async () => {
      db = target.make();
      const p = parseDatabaseUrl('DATABASE_URL', db.url);
      ds = createDataSource({ kind: p.kind, path: p.kind === 'sqlite' ? p.path : undefined, url: p.url, schema: db.schema });
      await ds.initialize();
      await runMigrations(ds, db.schema);
    });
    after(async () => {
      await ds.destroy();
      await db.cleanup();
    });

    // A fresh database (file or schema) per contract test; shutdown removes it.
    runBaselineStoreContract(
      `database (${target.label})`,
      async () => {
        const own = target.make();
        const p = parseDatabaseUrl('DATABASE_URL', own.url);
        const ownDs = createDataSource({ kind: p.kind, path: p.kind === 'sqlite' ? p.path : undefined, url: p.url, schema: own.schema });
        await ownDs.initialize();
        await runMigrations(ownDs, own.schema);
        const store = new TypeOrmBaselineStore({ dataSource: () => ownDs, maxSamplesPerType: 50, maxTypes: 5, pruneEvery: 1 });
        let released = false;
        const shutdown = store.shutdown.bind(store);
        store.shutdown = async () => {
          await shutdown();
          if (released) return;
          released = true;
          await ownDs.destroy();
          await own.cleanup();
        };
        return store;
      },
      { maxSamplesPerType: 50, maxTypes: 5 },
    );

    it('two instances share one baseline (rows in the database), and it survives a new store object (restart)', async () => {
      const a = new TypeOrmBaselineStore({ dataSource: () => ds });
      const b = new TypeOrmBaselineStore({ dataSource: () => ds });
      const type = `shared_${Date.now()}`;
      const now = Date.now();
      await a.append(type, { user: 'u1', atMs: now, accepted: true, choiceItems: 10, patterns: 0, lnTimePerItem: 2, score: 70 }, now - 86_400_000);
      await b.append(type, { user: 'u2', atMs: now + 1, accepted: true, choiceItems: 10, patterns: 0, lnTimePerItem: 2.1, score: 75 }, now - 86_400_000);
      const fresh = new TypeOrmBaselineStore({ dataSource: () => ds });
      const users = (await fresh.samples(type, now - 1000)).map((s) => s.user).sort();
      assert.deepEqual(users, ['u1', 'u2']);
    });

    it('appends made together are written in a few statements, the newest sample of each user wins, and every promise settles', async () => {
      const store = new TypeOrmBaselineStore({ dataSource: () => ds });
      const type = `batch_${Date.now()}`;
      const now = Date.now();
      const inserts: number[] = [];
      const query = ds.query.bind(ds);
      const counting = Object.assign(Object.create(ds) as DataSource, {
        query: (sql: string, params?: unknown[]) => {
          if (/^\s*INSERT INTO assessment_baseline_samples/.test(sql)) inserts.push((params ?? []).length / 4);
          return query(sql, params);
        },
      });
      const counted = new TypeOrmBaselineStore({ dataSource: () => counting });
      const sample = (user: string, atMs: number, score: number) => ({ user, atMs, accepted: true, choiceItems: 10, patterns: 0, lnTimePerItem: 2, score });
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 300; i += 1) writes.push(counted.append(type, sample(`u${i}`, now + i, 50), now - 86_400_000));
      // u1 again: a newer sample replaces it, an older one arriving later does not
      writes.push(counted.append(type, sample('u1', now + 5000, 99), now - 86_400_000));
      writes.push(counted.append(type, sample('u1', now + 10, 11), now - 86_400_000));
      await Promise.all(writes);
      const rows = await store.samples(type, now - 1000);
      assert.equal(rows.length, 300);
      assert.equal(rows.find((r) => r.user === 'u1')?.score, 99);
      assert.equal(inserts.reduce((a, b) => a + b, 0), 300, 'each user written once');
      // A few statements (SQLite: chunks of powers of two, 256 + 32 + 8 + 4, so that their texts are prepared once).
      assert.ok(inserts.length <= 4, `${inserts.length} INSERT statements for 302 appends`);
      assert.ok(inserts.every((n) => n <= 256), `chunks ${inserts.join(', ')} of at most 256 rows`);
      await counted.shutdown();
    });

    it('batchDelayMs holds samples back that long (one write for what gathers meanwhile); flush() writes them at once', async () => {
      const type = `delay_${Date.now()}`;
      const now = Date.now();
      const reader = new TypeOrmBaselineStore({ dataSource: () => ds });
      const sample = (user: string) => ({ user, atMs: now, accepted: true, choiceItems: 10, patterns: 0, lnTimePerItem: 2 });
      // A long delay: only flush() can write these in time.
      const slow = new TypeOrmBaselineStore({ dataSource: () => ds, batchDelayMs: 10_000 });
      let settled = false;
      const first = slow.append(type, sample('a'), now - 86_400_000).then(() => (settled = true));
      void slow.append(type, sample('b'), now - 86_400_000);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(settled, false, 'not written before the delay');
      assert.equal((await reader.samples(type, 0)).length, 0);
      const started = Date.now();
      await slow.flush();
      await first;
      assert.ok(Date.now() - started < 2000, 'flush() does not wait for the timer');
      assert.deepEqual((await reader.samples(type, 0)).map((x) => x.user).sort(), ['a', 'b']);
      await slow.shutdown();
      // Without flush(), a sample is written once the delay has passed, not before.
      const timed = new TypeOrmBaselineStore({ dataSource: () => ds, batchDelayMs: 300 });
      const t0 = Date.now();
      await timed.append(type, sample('c'), now - 86_400_000);
      assert.ok(Date.now() - t0 >= 250, `written after ${Date.now() - t0} ms`);
      await timed.shutdown();
    });

    it('past the cap, rows are dropped a tenth of the cap at a time: the table never holds more than that over the cap, and reads give the newest maxSamplesPerType', async () => {
      const store = new TypeOrmBaselineStore({ dataSource: () => ds, maxSamplesPerType: 20, pruneEvery: 1 });
      const type = `cap_${Date.now()}`;
      const now = Date.now();
      const rows = async () => Number(((await ds.query(`SELECT COUNT(*) AS n FROM assessment_baseline_samples WHERE assessment_type = '${type}'`)) as Array<{ n: unknown }>)[0].n);
      const counts: number[] = [];
      for (let i = 0; i < 44; i += 1) {
        await store.append(type, { user: `u${i}`, atMs: now + i, accepted: true, choiceItems: 10, patterns: 0, lnTimePerItem: 2, score: 50 }, now - 86_400_000);
        counts.push(await rows());
      }
      assert.ok(Math.max(...counts) <= 20 + 2, `at most 2 rows over the cap of 20: ${Math.max(...counts)}`);
      assert.ok(counts.some((c) => c > 20), 'the cap is checked every 2 appends, not after each');
      assert.equal(counts[counts.length - 1], 20, 'the 44th append is a cap check: back to 20');
      const got = await store.samples(type, 0);
      assert.equal(got.length, 20);
      assert.deepEqual(got.map((s) => s.user).sort(), Array.from({ length: 20 }, (_, i) => `u${24 + i}`).sort());
      await store.shutdown();
    });

    it('a batch the database refuses rejects each of its appends with StoreError, and shutdown writes what is queued', async () => {
      let connected: DataSource | undefined = ds;
      const store = new TypeOrmBaselineStore({ dataSource: () => connected });
      const type = `refused_${Date.now()}`;
      const now = Date.now();
      const pending = [store.append(type, { user: 'a', atMs: now, accepted: true, choiceItems: 1, patterns: 0 }, 0), store.append(type, { user: 'b', atMs: now, accepted: true, choiceItems: 1, patterns: 0 }, 0)];
      connected = undefined; // the database goes away before the batch is written
      for (const p of pending) await assert.rejects(p, (e: StoreError) => e instanceof StoreError && e.code === 'ERR_WATCHPOST_BASELINE_STORE');
      connected = ds;
      const queued = store.append(type, { user: 'c', atMs: now, accepted: true, choiceItems: 1, patterns: 0 }, 0);
      await store.shutdown();
      await queued;
      assert.deepEqual((await new TypeOrmBaselineStore({ dataSource: () => ds }).samples(type, 0)).map((s) => s.user), ['c']);
      await assert.rejects(store.append(type, { user: 'd', atMs: now, accepted: true, choiceItems: 1, patterns: 0 }, 0), StoreError);
    });

    it('while the database is not connected, calls reject with StoreError (the analyzer keeps its last baseline)', async () => {
      const down = new TypeOrmBaselineStore({ dataSource: () => undefined });
      await assert.rejects(down.samples('x', 0), (e: StoreError) => e instanceof StoreError && e.code === 'ERR_WATCHPOST_BASELINE_STORE');
      await assert.rejects(down.append('x', { user: 'u', atMs: 1, accepted: true, choiceItems: 1, patterns: 0 }, 0), StoreError);
    });
  });
}
