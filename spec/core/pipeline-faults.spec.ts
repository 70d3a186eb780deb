/**
 * The pipeline when the database or Redis fails, against the real servers: PostgreSQL
 * behind a TCP proxy that is cut and restored, and private redis-server processes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { assert } from '../helpers/counted-assert';
import { postgresDatabase, postgresUrl, sqliteDatabase, type TestDatabase } from '../helpers/databases';
import { hasRedisServer, PrivateRedis } from '../helpers/redis-server';
import { TcpProxy } from '../helpers/tcp-proxy';
import { eventually, sleep, uniqueName } from '../helpers/wait';
import { json, makeWatchpost, openReader, rows, tempDir } from '../helpers/watchpost-fixture';
import { BatchWriter } from '../../lib/core/batch-writer';
import type { EventSink, SecurityEventRecord, WriteOp } from '../../lib/core/ports';
import { TypeOrmEventSink } from '../../lib/persistence/typeorm-event-sink';
import type { Watchpost } from '../../lib/watchpost';

function eventRecord(i: number): SecurityEventRecord {
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    occurredAt: new Date(),
    type: 'AUTH_FAILURE',
    severity: 'WARNING',
    sourceIp: '192.0.2.1',
    userIdentifier: `user${i}`,
    requestMethod: 'POST',
    requestPath: '/login',
    userAgent: null,
    requestId: null,
    details: { i },
  };
}

describe('pipeline faults: exactly once', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let sink: TypeOrmEventSink;
  beforeEach(async () => {
    db = sqliteDatabase();
    sink = new TypeOrmEventSink({ kind: 'sqlite', path: db.url.slice('sqlite:'.length), url: db.url });
    sink.start();
    assert.ok(await sink.whenUp(5000), 'sqlite connects');
  });
  afterEach(async () => {
    await sink.close();
    await db.cleanup();
  });

  it('a batch that committed but reported a failure is retried without writing any row twice', async () => {
    // The database takes the first batch but the acknowledgement is lost (as when a
    // connection drops right after COMMIT): the writer must retry, and the retry must not duplicate.
    let calls = 0;
    const lossy: EventSink = {
      isAvailable: () => sink.isAvailable(),
      loadActiveBlocks: (now) => sink.loadActiveBlocks(now),
      async write(batch: readonly WriteOp[]) {
        calls += 1;
        await sink.write(batch);
        if (calls === 1) throw new Error('connection lost after commit');
      },
    };
    const writer = new BatchWriter({ sink: lossy, capacity: 10_000, batchSize: 50, flushIntervalMs: 5, retryBaseMs: 10 });
    for (let i = 0; i < 120; i += 1) writer.enqueue({ kind: 'event', record: eventRecord(i) });
    await eventually(() => assert.equal(writer.size, 0), 5000);
    await writer.close();
    assert.ok(calls >= 4, `the first batch was retried (${calls} writes)`);
    const reader = await openReader(db);
    const all = await rows(reader, 'security_events');
    await reader.destroy();
    assert.equal(all.length, 120);
    assert.equal(new Set(all.map((r) => r.id)).size, 120);
  });

  it('a batch is all or nothing: a failing row rolls the whole batch back, and it is retried whole', async () => {
    let fail = true;
    const flaky: EventSink = {
      isAvailable: () => sink.isAvailable(),
      loadActiveBlocks: (now) => sink.loadActiveBlocks(now),
      async write(batch) {
        // Poison the first attempt with a row too long for a NOT NULL column check, then let it through.
        const poisoned = fail ? [...batch, { kind: 'event', record: { ...eventRecord(999), type: null as never } } as WriteOp] : batch;
        fail = false;
        await sink.write(poisoned);
      },
    };
    const writer = new BatchWriter({ sink: flaky, capacity: 1000, batchSize: 10, flushIntervalMs: 5, retryBaseMs: 10 });
    for (let i = 0; i < 10; i += 1) writer.enqueue({ kind: 'event', record: eventRecord(i) });
    await eventually(() => assert.equal(writer.size, 0), 5000);
    await writer.close();
    const reader = await openReader(db);
    const all = await rows(reader, 'security_events');
    await reader.destroy();
    assert.equal(all.length, 10, 'the poisoned attempt left nothing behind');
  });
});

describe('pipeline faults: full buffer policy', () => {
  it('past capacity, INFO/WARNING events are dropped and counted; important writes use the 10% reserve; memory stays bounded', async () => {
    const down: EventSink = { isAvailable: () => false, write: async () => undefined, loadActiveBlocks: async () => [] };
    const reported: Array<Record<string, number>> = [];
    const writer = new BatchWriter({ sink: down, capacity: 100, batchSize: 50, flushIntervalMs: 5, onDropsReported: (d) => void reported.push({ ...d }) });
    for (let i = 0; i < 150; i += 1) writer.enqueue({ kind: 'event', record: eventRecord(i) });
    assert.equal(writer.size, 100);
    assert.equal(writer.droppedTotal, 50);
    for (let i = 0; i < 20; i += 1) writer.enqueue({ kind: 'event', record: { ...eventRecord(1000 + i), severity: 'CRITICAL' } });
    assert.equal(writer.size, 110, 'critical writes fill the reserve only');
    assert.equal(writer.droppedTotal, 60);
    assert.deepEqual(reported, [], 'reported only once writing works again');
    await writer.close(50);
  });
});

const PG = postgresUrl();
if (!PG) {
  console.log('  (PostgreSQL fault specs not registered: DATABASE_URL does not point at PostgreSQL)');
} else {
  describe('pipeline faults: PostgreSQL unreachable or cut (real server behind a proxy)', function () {
    this.timeout(60_000);
    let proxy: TcpProxy;
    let db: TestDatabase;
    let tmp: ReturnType<typeof tempDir>;
    let wp: Watchpost | undefined;
    let reader: DataSource | undefined;

    beforeEach(async () => {
      const target = new URL(PG);
      proxy = await TcpProxy.create(target.hostname, Number(target.port || 5432), true);
      // The app reaches PostgreSQL through the proxy; clean-up and reads go to it directly.
      const direct = postgresDatabase(PG);
      db = { label: 'postgres', url: proxy.rewrite(PG), schema: direct.schema, cleanup: () => direct.cleanup() };
      tmp = tempDir();
    });
    afterEach(async () => {
      await wp?.close();
      wp = undefined;
      if (reader?.isInitialized) await reader.destroy();
      reader = undefined;
      await proxy.close();
      await db.cleanup();
      tmp.cleanup();
    });

    async function readerDirect(): Promise<DataSource> {
      reader = await openReader({ ...db, url: PG } as TestDatabase);
      return reader;
    }

    it('unreachable at start-up: the app starts (health degraded), events wait, and all are written once it is back', async () => {
      const t0 = Date.now();
      wp = await makeWatchpost(db, path.join(tmp.dir, 'log'), { databaseConnectTimeoutMs: 500, databaseRetryMaxDelayMs: 200 });
      assert.ok(Date.now() - t0 < 4000, `createWatchpost took ${Date.now() - t0} ms`);
      const health = await wp.health();
      assert.equal(health.status, 'degraded');
      assert.notEqual(health.database, 'up');
      const ids: string[] = [];
      for (let i = 0; i < 500; i += 1) ids.push(wp.monitor.logSecurityEvent({ type: 'AUTH_FAILURE', ip: `203.0.113.${i % 250}`, userIdentifier: `u${i}` }));
      await wp.flush();
      assert.ok((await wp.health()).buffer.size >= 500, 'events wait in the buffer');

      await proxy.up();
      await eventually(async () => assert.equal((await wp!.health()).database, 'up'), 15_000, 100);
      await eventually(async () => assert.equal((await wp!.health()).buffer.size, 0), 15_000, 100);
      const r = await readerDirect();
      const written = await rows(r, 'security_events', 'event_type = ?', ['AUTH_FAILURE']);
      assert.equal(written.length, 500);
      assert.equal(new Set(written.map((w) => w.id)).size, 500);
      assert.ok(ids.every((id) => written.some((w) => w.id === id)));
    });

    it('cut mid-run: events logged during the outage are all written exactly once after recovery', async () => {
      await proxy.up();
      wp = await makeWatchpost(db, path.join(tmp.dir, 'log'), { databaseConnectTimeoutMs: 500, databaseRetryMaxDelayMs: 200, enableRealTimeMonitoring: false });
      assert.equal((await wp.health()).database, 'up');
      for (let i = 0; i < 300; i += 1) wp.monitor.logSecurityEvent({ type: 'XSS_ATTEMPT', ip: '198.51.100.1', details: { phase: 'before', i } });
      await wp.flush();
      await proxy.down();
      for (let i = 0; i < 700; i += 1) wp.monitor.logSecurityEvent({ type: 'XSS_ATTEMPT', ip: '198.51.100.1', details: { phase: 'during', i } });
      await wp.flush();
      await sleep(300);
      assert.ok((await wp.health()).buffer.size > 0, 'writes wait while the database is cut');
      await eventually(async () => assert.equal((await wp!.health()).database, 'down', 'health reports the outage'), 5000, 50);
      await proxy.up();
      await eventually(async () => assert.equal((await wp!.health()).buffer.size, 0), 20_000, 100);
      const r = await readerDirect();
      const all = await rows(r, 'security_events', 'event_type = ?', ['XSS_ATTEMPT']);
      assert.equal(all.length, 1000);
      assert.equal(new Set(all.map((w) => w.id)).size, 1000);
      assert.equal(all.filter((w) => json(w.details).phase === 'during').length, 700);
    });

    it('buffer full while the database is down: drops are counted, and an EVENTS_DROPPED event records them after recovery', async () => {
      wp = await makeWatchpost(db, path.join(tmp.dir, 'log'), { databaseConnectTimeoutMs: 500, databaseRetryMaxDelayMs: 200, enableRealTimeMonitoring: false, events: { bufferSize: 200, batchSize: 50 } });
      for (let i = 0; i < 260; i += 1) wp.monitor.logSecurityEvent({ type: 'RATE_LIMIT_EXCEEDED', severity: 'INFO', ip: '192.0.2.3' });
      await wp.flush();
      const h = await wp.health();
      assert.equal(h.buffer.size, 200);
      assert.equal(h.buffer.dropped, 60);
      const metrics = await wp.registry.metrics();
      assert.match(metrics, /watchpost_events_dropped_total\{kind="event",severity="INFO"\} 60/);
      await proxy.up();
      await eventually(async () => assert.equal((await wp!.health()).buffer.size, 0), 20_000, 100);
      await wp.flush();
      const r = await readerDirect();
      assert.equal((await rows(r, 'security_events', 'event_type = ?', ['RATE_LIMIT_EXCEEDED'])).length, 200);
      const dropped = await rows(r, 'security_events', 'event_type = ?', ['EVENTS_DROPPED']);
      assert.equal(dropped.length, 1);
      assert.deepEqual(json(json(dropped[0].details).dropped), { INFO: 60 });
      const logText = fs.readFileSync(path.join(tmp.dir, 'log'), 'utf8');
      assert.equal(logText.split('\n').filter((l) => l.includes('"type":"RATE_LIMIT_EXCEEDED"')).length, 260, 'every event kept its log line');
    });
  });
}

const REDIS = process.env.REDIS_URL;
if (!REDIS) {
  console.log('  (Redis pipeline specs not registered: REDIS_URL is not set)');
} else {
  describe('pipeline over Redis: several instances, Redis restarts', function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let tmp: ReturnType<typeof tempDir>;
    const started: Watchpost[] = [];
    beforeEach(() => {
      db = postgresUrl() ? postgresDatabase(postgresUrl() as string) : sqliteDatabase();
      tmp = tempDir();
    });
    afterEach(async () => {
      for (const w of started.splice(0)) await w.close();
      await db.cleanup();
      tmp.cleanup();
    });

    it('two instances sharing Redis and the database: a crossing split across them raises one alert, and a block by one is refused by the other', async () => {
      const prefix = `${uniqueName('wpe2e')}:`;
      const a = await makeWatchpost(db, path.join(tmp.dir, 'a.log'), { redisUrl: REDIS, redisKeyPrefix: prefix });
      started.push(a);
      const b = await makeWatchpost(db, path.join(tmp.dir, 'b.log'), { redisUrl: REDIS, redisKeyPrefix: prefix });
      started.push(b);
      a.monitor.logSecurityEvent({ type: 'COMMAND_INJECTION_ATTEMPT', ip: '203.0.113.200' });
      b.monitor.logSecurityEvent({ type: 'COMMAND_INJECTION_ATTEMPT', ip: '203.0.113.200' });
      await Promise.all([a.flush(), b.flush()]);
      a.monitor.logSecurityEvent({ type: 'COMMAND_INJECTION_ATTEMPT', ip: '203.0.113.200' });
      b.monitor.logSecurityEvent({ type: 'COMMAND_INJECTION_ATTEMPT', ip: '203.0.113.200' });
      await Promise.all([a.flush(), b.flush()]);
      const reader = await openReader(db);
      try {
        await eventually(async () => {
          await Promise.all([a.flush(), b.flush()]);
          assert.equal((await rows(reader, 'security_alerts')).length, 1);
        });
        assert.equal((await rows(reader, 'blocked_ips')).length, 1);
        assert.equal((await rows(reader, 'security_events', 'event_type = ?', ['IP_BLOCKED'])).length, 1, 'blocked once, not by both');
      } finally {
        await reader.destroy();
      }
      assert.ok(await b.blockedUntil('203.0.113.200'));
      assert.ok(await a.blockedUntil('203.0.113.200'));
      await a.unblockIp('203.0.113.200', { actor: 'spec' });
      assert.equal(await b.blockedUntil('203.0.113.200'), undefined, 'an unblock applies on every instance at once');
    });

    if (hasRedisServer()) {
      it('Redis restarted empty: active blocks come back from the database', async () => {
        const redis = await PrivateRedis.start();
        try {
          const w = await makeWatchpost(db, path.join(tmp.dir, 'c.log'), { redisUrl: redis.url, redisCommandTimeoutMs: 400 });
          started.push(w);
          await w.blockIp('198.51.100.33', { actor: 'spec', durationMs: 600_000 });
          await w.flush();
          await redis.restart();
          // Refused throughout: by the memory fallback while Redis is away, then by Redis.
          assert.ok(await w.blockedUntil('198.51.100.33'), 'still refused right after the restart');
          const { RedisStore } = await import('../../lib/stores/redis-store');
          const direct = new RedisStore({ url: redis.url });
          await direct.init();
          try {
            await eventually(async () => assert.ok(await direct.blockedUntil('ip:198.51.100.33'), `the block is back in Redis itself (store ${JSON.stringify((await w.health()).store)})`), 20_000, 100);
            assert.equal((await w.health()).store.state, 'ok');
          } finally {
            await direct.shutdown();
          }
        } finally {
          await redis.stop();
        }
      });

      it('an unblock whose database row is still queued is not undone by the reload after a Redis restart', async () => {
        const redis = await PrivateRedis.start();
        try {
          // Writes wait up to a minute, so the unblock stays in the buffer through the restart.
          const w = await makeWatchpost(db, path.join(tmp.dir, 'd.log'), { redisUrl: redis.url, redisCommandTimeoutMs: 400, events: { flushIntervalMs: 60_000, batchSize: 1000 } });
          started.push(w);
          await w.blockIp('198.51.100.40', { actor: 'spec', durationMs: 600_000 });
          await w.blockIp('198.51.100.41', { actor: 'spec', durationMs: 600_000 });
          await w.flush();
          await w.unblockIp('198.51.100.40', { actor: 'spec' });
          assert.ok((await w.health()).buffer.size > 0, 'the unblock is still queued');
          await redis.restart();
          const { RedisStore } = await import('../../lib/stores/redis-store');
          const direct = new RedisStore({ url: redis.url });
          await direct.init();
          try {
            // The reload ran (the other block is back in Redis) and left the unblocked IP alone.
            await eventually(async () => assert.ok(await direct.blockedUntil('ip:198.51.100.41'), 'the reload after the restart ran'), 20_000, 100);
            assert.equal(await direct.blockedUntil('ip:198.51.100.40'), undefined, 'the unblocked IP is not blocked again');
            assert.equal(await w.blockedUntil('198.51.100.40'), undefined);
          } finally {
            await direct.shutdown();
          }
        } finally {
          await redis.stop();
        }
      });
    }
  });
}
