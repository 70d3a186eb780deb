import type { DataSource } from 'typeorm';
import { assert } from '../helpers/counted-assert';
import { testDatabases, type TestDatabase } from '../helpers/databases';
import { parseDatabaseUrl } from '../../lib/config/parsers';
import { createDataSource, runMigrations } from '../../lib/persistence/data-source';
import { SecurityEventEntity, SecurityEventsSummaryView, BlockedIpEntity } from '../../lib/persistence/entities';

const TABLES = ['security_events', 'security_alerts', 'assessment_anomalies', 'security_metrics', 'blocked_ips', 'security_audit_log', 'assessment_baseline_samples', 'assessment_baseline_references'];
const VIEWS = ['security_events_summary', 'security_alerts_summary', 'assessment_anomalies_summary'];

for (const target of testDatabases()) {
  describe(`persistence: migrations on ${target.label}`, function () {
    this.timeout(30_000);
    let db: TestDatabase;
    let ds: DataSource;
    let firstRun: string[] = [];

    before(async () => {
      db = target.make();
      const parsed = parseDatabaseUrl('DATABASE_URL', db.url);
      ds = createDataSource({ kind: parsed.kind, path: parsed.kind === 'sqlite' ? parsed.path : undefined, url: parsed.url, schema: db.schema });
      await ds.initialize();
      firstRun = await runMigrations(ds, db.schema);
    });
    after(async () => {
      if (ds?.isInitialized) await ds.destroy();
      await db.cleanup();
    });

    it('runs the initial migration, then finds nothing left to run', async () => {
      assert.deepEqual(firstRun, ['InitialSchema1732000000000', 'AssessmentBaselines1732000000001']);
      const second = await runMigrations(ds, db.schema);
      assert.deepEqual(second, []);
    });

    it('creates the six tables of seed 002, the two baseline tables and the three hourly views', async () => {
      const runner = ds.createQueryRunner();
      try {
        for (const t of TABLES) assert.ok(await runner.hasTable(t), `table ${t}`);
      } finally {
        await runner.release();
      }
      const names: string[] =
        ds.options.type === 'postgres'
          ? (await ds.query(`SELECT table_name AS name FROM information_schema.views WHERE table_schema = $1`, [db.schema])).map((r: { name: string }) => r.name)
          : (await ds.query(`SELECT name FROM sqlite_master WHERE type = 'view'`)).map((r: { name: string }) => r.name);
      for (const v of VIEWS) assert.ok(names.includes(v), `view ${v} in ${names.join(',')}`);
    });

    it('creates the indexes investigators need', async () => {
      const indexNames: string[] =
        ds.options.type === 'postgres'
          ? (await ds.query(`SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1`, [db.schema])).map((r: { name: string }) => r.name)
          : (await ds.query(`SELECT name FROM sqlite_master WHERE type = 'index'`)).map((r: { name: string }) => r.name);
      for (const name of ['idx_security_events_occurred_at', 'idx_security_events_ip_time', 'idx_security_events_type_time', 'idx_security_events_user_time', 'idx_blocked_ips_expires_at']) {
        assert.ok(indexNames.includes(name), `index ${name}`);
      }
    });

    it('round-trips an entity (dates and JSON details) and the hourly view counts it', async () => {
      const at = new Date('2026-05-04T10:15:30.123Z');
      await ds.getRepository(SecurityEventEntity).insert({
        id: '00000000-0000-4000-8000-000000000001',
        occurredAt: at,
        eventType: 'XSS_ATTEMPT',
        severity: 'WARNING',
        sourceIp: '203.0.113.5',
        userIdentifier: 'o\u2019brien',
        requestMethod: 'GET',
        requestPath: '/search',
        userAgent: 'spec',
        requestId: 'r-1',
        details: { location: 'query', nested: { n: 1 } },
      });
      const row = await ds.getRepository(SecurityEventEntity).findOneByOrFail({ id: '00000000-0000-4000-8000-000000000001' });
      assert.equal(row.occurredAt.toISOString(), at.toISOString());
      assert.deepEqual(row.details, { location: 'query', nested: { n: 1 } });
      assert.equal(row.userIdentifier, 'o\u2019brien');
      const summary = await ds.getRepository(SecurityEventsSummaryView).find();
      assert.equal(summary.length, 1);
      assert.equal(Number(summary[0].eventCount), 1);
      assert.equal(Number(summary[0].uniqueIps), 1);
      const hour: unknown = summary[0].hour;
      assert.match(hour instanceof Date ? hour.toISOString() : String(hour), /2026-05-04.10:00:00/);
    });

    it('blocked_ips defaults the block count to 1', async () => {
      const now = new Date();
      await ds.getRepository(BlockedIpEntity).insert({ ip: '198.51.100.1', reason: 'spec', rule: null, blockedAt: now, expiresAt: now, updatedAt: now, details: {} });
      const row = await ds.getRepository(BlockedIpEntity).findOneByOrFail({ ip: '198.51.100.1' });
      assert.equal(row.blockCount, 1);
      assert.equal(row.unblockedAt, null);
    });

    it('rolls back cleanly (down), one migration at a time, and can migrate again', async () => {
      const runner = ds.createQueryRunner();
      try {
        await ds.undoLastMigration({ transaction: 'each' });
        assert.equal(await runner.hasTable('assessment_baseline_samples'), false);
        assert.equal(await runner.hasTable('security_events'), true);
        await ds.undoLastMigration({ transaction: 'each' });
        assert.equal(await runner.hasTable('security_events'), false);
      } finally {
        await runner.release();
      }
      assert.deepEqual(await runMigrations(ds, db.schema), ['InitialSchema1732000000000', 'AssessmentBaselines1732000000001']);
    });
  });
}
