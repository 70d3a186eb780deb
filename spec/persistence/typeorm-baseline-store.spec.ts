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

    it('while the database is not connected, calls reject with StoreError (the analyzer keeps its last baseline)', async () => {
      const down = new TypeOrmBaselineStore({ dataSource: () => undefined });
      await assert.rejects(down.samples('x', 0), (e: StoreError) => e instanceof StoreError && e.code === 'ERR_WATCHPOST_BASELINE_STORE');
      await assert.rejects(down.append('x', { user: 'u', atMs: 1, accepted: true, choiceItems: 1, patterns: 0 }, 0), StoreError);
    });
  });
}
