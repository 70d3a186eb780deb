/**
 * Alert channels against real peers: an SMTP server (smtp-server) and an HTTP server for the
 * webhook and Slack. One notification per alert, none for a flood, no secrets in them, and a
 * dead channel never touches the request path.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { assert } from '../helpers/counted-assert';
import { sqliteDatabase } from '../helpers/databases';
import { freePort } from '../helpers/redis-server';
import { eventually } from '../helpers/wait';
import { tempDir } from '../helpers/watchpost-fixture';
import { createWatchpost, type Watchpost } from '../../lib/watchpost';
import { ThrottledAlerter } from '../../lib/alerting/throttled-alerter';
import type { AlertNotice } from '../../lib/core/ports';

const CANARY = 'Canary-Alert-Secret-93b1';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      cb(null, { user: auth.username });
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        // Undo quoted-printable soft breaks and escapes so the text can be read as sent.
        const text = raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
        mails.push({ from: String(session.envelope.mailFrom && session.envelope.mailFrom.address), to: session.envelope.rcptTo.map((r) => r.address), raw: text });
        cb();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function startHttp(): Promise<{ url: string; bodies: unknown[]; close: () => Promise<void> }> {
  const bodies: unknown[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(raw));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('alert channels', function () {
  this.timeout(30_000);
  let wp: Watchpost | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    await wp?.close();
    wp = undefined;
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(extra: Parameters<typeof createWatchpost>[0]): Promise<Watchpost> {
    const db = sqliteDatabase();
    const tmp = tempDir();
    cleanups.push(() => db.cleanup(), () => tmp.cleanup());
    wp = await createWatchpost({ env: {}, databaseUrl: db.url, securityLogPath: path.join(tmp.dir, 'log'), ...extra });
    return wp;
  }

  function attack(w: Watchpost, ip: string, times = 3): void {
    for (let i = 0; i < times; i += 1) {
      w.monitor.logSecurityEvent({ type: 'SQL_INJECTION_ATTEMPT', ip, details: { password: CANARY, snippet: "' OR 1=1--" }, request: { method: 'GET', originalUrl: `/search?q=x&token=${CANARY}`, headers: { 'user-agent': 'sqlmap/1.7' } } });
    }
  }

  it('e-mail: one message per alert through a real SMTP server, with the facts and no secrets; a flood adds none', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const w = await start({ smtp: { host: '127.0.0.1', port: smtp.port, username: 'watch@example.com', password: 'smtp-pass' }, alertRecipients: ['sec@example.com', 'ops@example.com'] });
    attack(w, '203.0.113.44', 50);
    await w.flush();
    await eventually(() => assert.equal(smtp.mails.length, 1), 10_000);
    const mail = smtp.mails[0];
    assert.deepEqual(mail.to, ['sec@example.com', 'ops@example.com']);
    assert.equal(mail.from, 'watch@example.com', 'SMTP_FROM falls back to an e-mail SMTP_USERNAME');
    assert.match(mail.raw, /Subject: \[watchpost\] CRITICAL injection_attempts: 3 in 300 s from\s+203\.0\.113\.44/);
    assert.match(mail.raw, /Blocked:\s+203\.0\.113\.44 until/);
    assert.match(mail.raw, /sqlmap/);
    assert.ok(!mail.raw.includes(CANARY), 'no secret in the e-mail');
    assert.ok(!mail.raw.includes('smtp-pass'));
    assert.match(await w.registry.metrics(), /watchpost_alert_deliveries_total\{channel="email",outcome="sent"\} 1/);
  });

  it('webhook and Slack: one JSON POST each per alert', async () => {
    const hook = await startHttp();
    const slack = await startHttp();
    cleanups.push(() => hook.close(), () => slack.close());
    const w = await start({ alertWebhookUrl: hook.url, slackWebhookUrl: slack.url });
    attack(w, '198.51.100.8');
    await w.flush();
    await eventually(() => assert.equal(hook.bodies.length, 1), 10_000);
    await eventually(() => assert.equal(slack.bodies.length, 1), 10_000);
    const body = hook.bodies[0] as { alert: { rule: string; alertKey: string }; block: { ip: string } };
    assert.equal(body.alert.rule, 'injection_attempts');
    assert.equal(body.alert.alertKey, '198.51.100.8');
    assert.equal(body.block.ip, '198.51.100.8');
    assert.match(String((slack.bodies[0] as { text: string }).text), /injection_attempts/);
    assert.ok(!JSON.stringify(hook.bodies).includes(CANARY));
  });

  it('a dead SMTP server: delivery fails, is counted and logged; logging events stays instant and nothing is lost', async () => {
    const dead = await freePort();
    const w = await start({ smtp: { host: '127.0.0.1', port: dead }, alertRecipients: ['sec@example.com'] });
    const t0 = Date.now();
    attack(w, '192.0.2.90');
    assert.ok(Date.now() - t0 < 50, 'the caller does not wait for any channel');
    await w.flush();
    await eventually(async () => assert.match(await w.registry.metrics(), /watchpost_alert_deliveries_total\{channel="email",outcome="failed"\} 1/), 15_000);
    assert.ok(await w.blockedUntil('192.0.2.90'), 'the response (block) happened regardless');
  });

  it('half-configured e-mail (SMTP_HOST without ALERT_RECIPIENTS) warns once at start-up', async () => {
    const tmp = tempDir();
    cleanups.push(() => tmp.cleanup());
    const db = sqliteDatabase();
    cleanups.push(() => db.cleanup());
    const logged: Array<Record<string, unknown>> = [];
    wp = await createWatchpost({ env: { SMTP_HOST: 'mail.example.com' }, databaseUrl: db.url, logger: { debug() {}, info() {}, warn: (f) => void logged.push(f), error() {} } });
    assert.equal(logged.filter((l) => l.code === 'WRN_WATCHPOST_EMAIL_ALERTS_UNCONFIGURED').length, 1);
  });

  it('a channel sends at most ALERT_MAX_PER_MINUTE notices a minute; the next one says how many were held back', async () => {
    let t = 0;
    const sent: AlertNotice[] = [];
    const ch = new ThrottledAlerter({ name: 'x', send: async (n) => void sent.push(n) }, 2, () => t);
    const notice = { alert: { id: 'a' } } as unknown as AlertNotice;
    for (let i = 0; i < 5; i += 1) await ch.send(notice);
    assert.equal(sent.length, 2);
    assert.equal(ch.suppressed, 3);
    t += 60_000;
    await ch.send(notice);
    assert.equal(sent.length, 3);
    assert.equal(sent[2].suppressed, 3);
  });

  it('held-back notices are counted as held, not as sent', async () => {
    const hook = await startHttp();
    cleanups.push(() => hook.close());
    const w = await start({ alertWebhookUrl: hook.url, alertMaxPerMinute: 1 });
    attack(w, '203.0.113.1');
    attack(w, '203.0.113.2');
    await w.flush();
    const metrics = await w.registry.metrics();
    assert.match(metrics, /watchpost_alert_deliveries_total\{channel="webhook",outcome="sent"\} 1/);
    assert.match(metrics, /watchpost_alert_deliveries_total\{channel="webhook",outcome="held"\} 1/);
  });
});
