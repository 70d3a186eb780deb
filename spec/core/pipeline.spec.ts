/**
 * The event pipeline end to end on real databases: logSecurityEvent -> log line -> batched
 * rows -> threshold counting -> alerts and escalating blocks.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { assert } from '../helpers/counted-assert';
import { testDatabases, type TestDatabase } from '../helpers/databases';
import { eventually, sleep } from '../helpers/wait';
import { json, logLines, makeWatchpost, openReader, rows, tempDir } from '../helpers/watchpost-fixture';
import type { Watchpost } from '../../lib/watchpost';
import { InputError } from '../../lib/core/errors';

const CANARY = 'Canary-Pa55word-7f3c9e';

for (const target of testDatabases()) {
  describe(`pipeline on ${target.label}: events -> log -> rows -> thresholds -> alerts and blocks`, function () {
    this.timeout(30_000);
    let db: TestDatabase;
    let tmp: ReturnType<typeof tempDir>;
    let logPath: string;
    let wp: Watchpost | undefined;
    let reader: DataSource | undefined;

    beforeEach(async () => {
      db = target.make();
      tmp = tempDir();
      logPath = path.join(tmp.dir, 'security.log');
    });
    afterEach(async () => {
      await wp?.close();
      wp = undefined;
      if (reader?.isInitialized) await reader.destroy();
      reader = undefined;
      await db.cleanup();
      tmp.cleanup();
    });

    async function start(extra = {}): Promise<Watchpost> {
      wp = await makeWatchpost(db, logPath, extra);
      reader = await openReader(db);
      return wp;
    }

    it('three injection attempts from one IP: one CRITICAL alert, the IP blocked in the store and in blocked_ips, IP_BLOCKED logged', async () => {
      const w = await start();
      for (let i = 0; i < 3; i += 1) {
        w.monitor.logSecurityEvent({ type: 'SQL_INJECTION_ATTEMPT', ip: '203.0.113.10', details: { location: 'query', snippet: "' OR 1=1--" } });
      }
      // A benign look-alike from another IP stays under every threshold.
      w.monitor.logSecurityEvent({ type: 'SQL_INJECTION_ATTEMPT', ip: '198.51.100.20', details: {} });
      await w.flush();

      const alerts = await rows(reader!, 'security_alerts');
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0].rule, 'injection_attempts');
      assert.equal(alerts[0].key_type, 'ip');
      assert.equal(alerts[0].alert_key, '203.0.113.10');
      assert.equal(alerts[0].severity, 'CRITICAL');
      assert.equal(Number(alerts[0].threshold), 3);
      assert.equal(Number(alerts[0].window_seconds), 300);

      const until = await w.blockedUntil('203.0.113.10');
      assert.ok(until && until.getTime() > Date.now() + 14 * 60_000, 'blocked for the first block duration (15 min)');
      assert.equal(await w.blockedUntil('198.51.100.20'), undefined);
      assert.ok(await w.blockedUntil('::ffff:203.0.113.10'), 'the IPv4-mapped form is the same client');

      const blocks = await rows(reader!, 'blocked_ips');
      assert.equal(blocks.length, 1);
      assert.equal(blocks[0].ip, '203.0.113.10');
      assert.equal(blocks[0].rule, 'injection_attempts');
      assert.equal(Number(blocks[0].block_count), 1);

      const events = await rows(reader!, 'security_events', 'event_type = ?', ['IP_BLOCKED']);
      assert.equal(events.length, 1);
      assert.equal(json(events[0].details).rule, 'injection_attempts');
      assert.equal((await rows(reader!, 'security_events', 'event_type = ?', ['SQL_INJECTION_ATTEMPT'])).length, 4);
      await eventually(() => assert.ok(logLines(logPath).some((l) => l.event === 'security_alert' && l.rule === 'injection_attempts'), 'alert line in the log'));
    });

    it('a flood from one IP and user: one alert per rule and key, its count raised, no alert storm', async () => {
      const w = await start({ enableIpBlocking: false });
      for (let i = 0; i < 200; i += 1) w.monitor.logSecurityEvent({ type: 'AUTH_FAILURE', ip: '192.0.2.44', userIdentifier: i % 2 ? 'Alice' : ' alice ' });
      await w.flush();
      await eventually(async () => {
        const alerts = await rows(reader!, 'security_alerts');
        assert.equal(alerts.length, 2, 'one for the IP and one for the user');
        const byType = Object.fromEntries(alerts.map((a) => [a.key_type, a]));
        assert.equal(byType.ip.alert_key, '192.0.2.44');
        assert.equal(byType.user.alert_key, 'alice', 'Alice and " alice " are one user');
        assert.ok(Number(byType.ip.event_count) >= 190, `count raised to ${byType.ip.event_count}`);
      });
      assert.equal((await rows(reader!, 'blocked_ips')).length, 0, 'blocking disabled');
      assert.equal((await rows(reader!, 'security_events', 'event_type = ?', ['AUTH_FAILURE'])).length, 200);
    });

    it('repeat offenders are blocked longer each time (15 min, then 30 min)', async () => {
      const w = await start();
      const cross = async () => {
        for (let i = 0; i < 3; i += 1) w.monitor.logSecurityEvent({ type: 'XSS_ATTEMPT', ip: '203.0.113.77' });
        await w.flush();
      };
      await cross();
      const first = (await w.blockedUntil('203.0.113.77'))!.getTime() - Date.now();
      await w.unblockIp('203.0.113.77', { actor: 'spec' });
      assert.equal(await w.blockedUntil('203.0.113.77'), undefined);
      // Attacking again after the early unblock (same window): blocked again, for longer.
      await sleep(1100); // past the 1 s claim that keeps two instances from blocking at once
      await cross();
      await eventually(async () => assert.ok(await w.blockedUntil('203.0.113.77')), 3000);
      const second = (await w.blockedUntil('203.0.113.77'))!.getTime() - Date.now();
      assert.ok(first > 14 * 60_000 && first <= 15 * 60_000, `first block ${first} ms`);
      assert.ok(second > 29 * 60_000 && second <= 30 * 60_000, `second block ${second} ms`);
      const block = (await rows(reader!, 'blocked_ips', 'ip = ?', ['203.0.113.77']))[0];
      assert.equal(Number(block.block_count), 2);
      assert.equal((await rows(reader!, 'security_alerts')).length, 1, 'still one alert for the window');
      assert.equal(block.unblocked_at, null, 'the new block clears the earlier unblock');
    });

    it('active blocks are loaded back from the database at start-up (a new instance with an empty store refuses them)', async () => {
      const w1 = await start();
      await w1.blockIp('198.51.100.99', { actor: 'spec', reason: 'manual', durationMs: 600_000 });
      await w1.blockIp('2001:db8:abcd:12ff::1', { actor: 'spec', durationMs: 600_000 });
      await w1.close();
      wp = await makeWatchpost(db, logPath);
      assert.ok(await wp.blockedUntil('198.51.100.99'));
      assert.ok(await wp.blockedUntil('2001:db8:abcd:1234::99'), 'same /56 prefix');
      assert.equal(await wp.blockedUntil('2001:db8:abcd:1300::1'), undefined, 'another /56');
      const audit = await rows(reader!, 'security_audit_log');
      assert.equal(audit.length, 2);
      assert.deepEqual(audit.map((a) => a.action), ['ip.block', 'ip.block']);
    });

    it('a manual unblock lifts the block in the store and the table, and is audited with its actor', async () => {
      const w = await start();
      await w.blockIp('203.0.113.5', { actor: 'alice@ops', durationMs: 600_000 });
      await w.unblockIp('::ffff:203.0.113.5', { actor: 'bob@ops' });
      await w.flush();
      assert.equal(await w.blockedUntil('203.0.113.5'), undefined);
      const block = (await rows(reader!, 'blocked_ips', 'ip = ?', ['203.0.113.5']))[0];
      assert.equal(block.unblocked_by, 'bob@ops');
      assert.notEqual(block.unblocked_at, null);
      const audit = await rows(reader!, 'security_audit_log', 'action = ?', ['ip.unblock']);
      assert.equal(audit.length, 1);
      assert.equal(audit[0].actor, 'bob@ops');
      assert.equal((await rows(reader!, 'security_events', 'event_type = ?', ['IP_UNBLOCKED'])).length, 1);
    });

    it('secrets never reach the log file or any table (canary), and card numbers keep at most first 6 / last 4', async () => {
      const w = await start();
      w.monitor.logSecurityEvent({
        type: 'AUTH_FAILURE',
        ip: '192.0.2.1',
        userIdentifier: 'carol@example.com',
        details: {
          password: CANARY,
          headers: { authorization: `Bearer ${CANARY}`, cookie: `sid=${CANARY}` },
          body: { card_number: '4111 1111 1111 1111', note: `pay with 4111111111111111 token=${CANARY}` },
          token: CANARY,
          nested: { deeper: { apiKey: CANARY } },
        },
        request: { method: 'POST', originalUrl: `/login?password=${CANARY}&next=/home`, headers: { 'user-agent': `agent Bearer ${CANARY}` } },
      });
      await w.flush();
      await w.close();
      wp = undefined;
      const logText = fs.readFileSync(logPath, 'utf8');
      assert.ok(!logText.includes(CANARY), 'canary in the log file');
      assert.ok(!logText.includes('4111111111111111') && !logText.includes('4111 1111 1111 1111'), 'full card number in the log');
      assert.ok(logText.includes('411111******1111'), 'masked card keeps first 6 / last 4');
      for (const table of ['security_events', 'security_alerts', 'blocked_ips', 'security_audit_log', 'assessment_anomalies', 'security_metrics']) {
        const dump = JSON.stringify(await rows(reader!, table));
        assert.ok(!dump.includes(CANARY), `canary in ${table}`);
        assert.ok(!dump.includes('4111111111111111'), `card number in ${table}`);
      }
    });

    it('control characters are escaped: one event is one log line, also in the table', async () => {
      const w = await start();
      const nasty = 'eve\nFAKE {"level":"info"}\r\u001b[31m\u0000\u2028x';
      w.monitor.logSecurityEvent({ type: 'SUSPICIOUS_ACTIVITY', ip: '192.0.2.9', userIdentifier: nasty, details: { note: nasty }, request: { method: 'GET', originalUrl: '/a\nb', headers: { 'user-agent': nasty } } });
      await w.flush();
      await w.close();
      wp = undefined;
      const raw = fs.readFileSync(logPath, 'utf8');
      const eventLines = raw.split('\n').filter((l) => l.includes('SUSPICIOUS_ACTIVITY'));
      assert.equal(eventLines.length, 1);
      assert.ok(!/[\u2028\u2029]/.test(raw), 'line separators are escaped');
      const parsed = JSON.parse(eventLines[0]) as Record<string, unknown>;
      assert.equal(parsed.user, 'eve\\u000aFAKE {"level":"info"}\\u000d\\u001b[31m\\u0000\\u2028x');
      const row = (await rows(reader!, 'security_events', 'event_type = ?', ['SUSPICIOUS_ACTIVITY']))[0];
      assert.ok(!/[\u0000-\u001f\u2028]/.test(String(row.user_identifier)), 'no raw control character in the table');
      assert.ok(!/[\u0000-\u001f]/.test(String(row.user_agent)));
      assert.equal(row.request_path, '/a\\u000ab');
    });

    it('every event logged before close() is written, in one row each', async () => {
      const w = await start();
      const ids = new Set<string>();
      for (let i = 0; i < 3000; i += 1) ids.add(w.monitor.logSecurityEvent({ type: 'AUTH_SUCCESS', ip: `10.0.${i % 200}.${i % 250}`, userIdentifier: `u${i}` }));
      await w.close();
      wp = undefined;
      const count = await rows(reader!, 'security_events', 'event_type = ?', ['AUTH_SUCCESS']);
      assert.equal(count.length, 3000);
      assert.equal(new Set(count.map((r) => r.id)).size, 3000);
      assert.ok(count.every((r) => ids.has(String(r.id))));
    });

    it('watchpost_blocked_ips is read from the store at scrape time', async () => {
      const w = await start();
      await w.blockIp('198.51.100.1', { actor: 'spec' });
      await w.blockIp('198.51.100.2', { actor: 'spec' });
      assert.match(await w.registry.metrics(), /watchpost_blocked_ips 2/);
      await w.unblockIp('198.51.100.1', { actor: 'spec' });
      assert.match(await w.registry.metrics(), /watchpost_blocked_ips 1/);
    });

    it('a winston logger passed in options keeps its messages and fields', async () => {
      const winston = await import('winston');
      const { PassThrough } = await import('node:stream');
      const out = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      const logger = winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: out })] });
      const w = await start({ logger });
      w.monitor.logSecurityEvent({ type: 'XSS_ATTEMPT', ip: '192.0.2.5' });
      await w.flush();
      await w.blockIp('192.0.2.6', { actor: 'spec' });
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(lines.some((l) => l.message === 'security_event' && l.type === 'XSS_ATTEMPT'));
      assert.ok(lines.some((l) => l.message === 'IP blocked' && l.event === 'ip_blocked'));
    });

    it('bad input to logSecurityEvent is refused with a coded error naming the problem', async () => {
      const w = await start();
      assert.throws(() => w.monitor.logSecurityEvent({ type: 'NOT_A_TYPE' }), (e: InputError) => e.code === 'ERR_WATCHPOST_INVALID_EVENT' && /unknown type "NOT_A_TYPE"/.test(e.message));
      assert.throws(() => w.monitor.logSecurityEvent({ type: 'XSS_ATTEMPT', severity: 'loud' }), (e: InputError) => e.code === 'ERR_WATCHPOST_INVALID_EVENT' && /severity "loud"/.test(e.message));
      assert.throws(() => w.monitor.logSecurityEvent(null as never), (e: InputError) => e.code === 'ERR_WATCHPOST_INVALID_EVENT');
      // Plain lower-case strings are accepted, as SPEC.md allows.
      const id = w.monitor.logSecurityEvent({ type: 'xss_attempt', severity: 'warning', ip: 'not an ip', details: { n: 1n as unknown as number } });
      await w.flush();
      const row = (await rows(reader!, 'security_events', 'id = ?', [id]))[0];
      assert.equal(row.event_type, 'XSS_ATTEMPT');
      assert.equal(row.source_ip, null);
      assert.equal(json(row.details).unparsedIp, 'not an ip');
    });
  });
}
