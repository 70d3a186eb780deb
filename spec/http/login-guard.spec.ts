/**
 * @SecureAuth / wp.secureAuth() end to end: outcomes from the handler's status, locks that
 * cannot be turned into a weapon, attack patterns, and a canary password in every sink.
 */
import fs from 'node:fs';
import type { Express, Request, Response } from 'express';
import request from 'supertest';
import { assert } from '../helpers/counted-assert';
import { createTestApp, type TestApp } from '../helpers/create-app';
import { json } from '../helpers/watchpost-fixture';
import { SecureAuth } from '../../lib/decorators/secure-auth';
import { AUTH_POLICY, getPolicy } from '../../lib/decorators/metadata';
import type { AuthPolicy } from '../../lib/config/policies';

const GOOD = { username: 'demo@example.com', password: 'correct horse battery staple' };
const CANARY = 'Canary-Login-Pw-51f0a9';

class LoginController {
  calls = 0;
  @SecureAuth()
  async login(this: LoginController, req: Request, res: Response): Promise<void> {
    this.calls += 1;
    const b = req.body as { username?: string; password?: string };
    if (b.username?.trim().toLowerCase() === GOOD.username && b.password === GOOD.password) {
      res.json({ ok: true });
      return;
    }
    res.status(401).json({ ok: false });
  }
}

describe('http: @SecureAuth and wp.secureAuth()', function () {
  this.timeout(30_000);
  let t: TestApp | undefined;
  let ctrl: LoginController;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** The controller method mounted directly, plus the function form on a second route. */
  async function app(extra: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
    ctrl = new LoginController();
    return createTestApp({
      trustProxy: 1,
      ...extra,
      watchpost: { ipBlock: { rules: ['injection_attempts'] }, ...extra.watchpost },
      routes: (a: Express, wp) => {
        a.post('/login', ctrl.login.bind(ctrl));
        a.post('/login2', wp.secureAuth({ usernameField: 'user' }), (req, res) => {
          res.status((req.body as { pw?: string }).pw === 'ok' ? 200 : 401).end();
        });
      },
    });
  }

  const attempt = (a: Express, ip: string, username: string, password = 'wrong') => request(a).post('/login').set('X-Forwarded-For', ip).send({ username, password });

  it('records the policy as metadata at decoration time', () => {
    const policy = getPolicy<AuthPolicy>(LoginController.prototype.login, AUTH_POLICY);
    assert.equal(policy?.kind, 'auth');
    assert.deepEqual(policy?.usernameFields, ['username', 'email']);
    assert.deepEqual(policy?.failureStatuses, [401, 403]);
    assert.match(String(policy?.where), /LoginController\.login/);
  });

  it('bad options fail at decoration time, naming the method', () => {
    assert.throws(
      () => {
        class Bad {
          @SecureAuth({ failureStatuses: [200] })
          login() {}
        }
        return Bad;
      },
      (e: Error & { code?: string }) => e.code === 'ERR_WATCHPOST_INVALID_OPTION' && /@SecureAuth\(\) on Bad\.login/.test(e.message) && /failureStatuses/.test(e.message),
    );
    assert.throws(
      () => {
        class Bad2 {
          @SecureAuth({ usernameFeld: 'x' } as never)
          login() {}
        }
        return Bad2;
      },
      (e: Error & { code?: string }) => e.code === 'ERR_WATCHPOST_UNKNOWN_OPTION' && /usernameFeld/.test(e.message) && /Did you mean `usernameFields?`\?/.test(e.message),
    );
  });

  it('a success logs AUTH_SUCCESS; a failure logs AUTH_FAILURE with the username and never the password', async () => {
    t = await app();
    assert.equal((await attempt(t.app, '203.0.113.1', GOOD.username, GOOD.password)).status, 200);
    assert.equal((await attempt(t.app, '203.0.113.1', 'Eve@Example.com', CANARY)).status, 401);
    await t.settle();
    const ok = await t.rows('security_events', 'event_type = ?', ['AUTH_SUCCESS']);
    const bad = await t.rows('security_events', 'event_type = ?', ['AUTH_FAILURE']);
    assert.equal(ok.length, 1);
    assert.equal(bad.length, 1);
    assert.equal(bad[0].user_identifier, 'Eve@Example.com');
    assert.equal(bad[0].source_ip, '203.0.113.1');
  });

  it('five failures lock that IP+username: 429 with Retry-After, the handler is not called, ACCOUNT_LOCKED logged', async () => {
    t = await app();
    for (let i = 0; i < 5; i += 1) assert.equal((await attempt(t.app, '203.0.113.2', 'alice')).status, 401);
    await t.settle();
    const before = ctrl.calls;
    const locked = await attempt(t.app, '203.0.113.2', 'alice', 'maybe-right');
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers['retry-after']) > 800, 'hard lock lasts LOGIN_LOCK_DURATION (900 s)');
    assert.equal(ctrl.calls, before, 'the handler did not run');
    const events = await t.rows('security_events', 'event_type = ?', ['ACCOUNT_LOCKED']);
    assert.equal(events.length, 1);
    assert.equal(json(events[0].details).scope, 'ip+username');
  });

  it('the hard lock cannot be turned against the victim: the same account from another IP still logs in', async () => {
    t = await app();
    for (let i = 0; i < 6; i += 1) await attempt(t.app, '198.51.100.66', GOOD.username);
    await t.settle();
    assert.equal((await attempt(t.app, '198.51.100.66', GOOD.username, GOOD.password)).status, 429, 'the attacker IP+account is locked');
    assert.equal((await attempt(t.app, '203.0.113.3', GOOD.username, GOOD.password)).status, 200, 'the owner elsewhere is not');
  });

  it('Alice, " alice" and ALICE are one counter; a success resets the consecutive failures', async () => {
    t = await app();
    for (const u of ['Alice', ' alice', 'ALICE', 'alice ']) await attempt(t.app, '203.0.113.4', u);
    await t.settle();
    await attempt(t.app, '203.0.113.4', 'alice');
    await t.settle();
    assert.equal((await attempt(t.app, '203.0.113.4', 'ALICE')).status, 429, 'five failures across spellings lock it');
    await t.close();

    t = await app();
    for (let i = 0; i < 4; i += 1) await attempt(t.app, '203.0.113.5', GOOD.username);
    await t.settle();
    assert.equal((await attempt(t.app, '203.0.113.5', GOOD.username, GOOD.password)).status, 200);
    await t.settle();
    for (let i = 0; i < 4; i += 1) await attempt(t.app, '203.0.113.5', GOOD.username);
    await t.settle();
    assert.equal((await attempt(t.app, '203.0.113.5', GOOD.username, GOOD.password)).status, 200, 'not locked: the success reset the count');
  });

  it('one account attacked from many IPs: a distributed brute force is reported and the account is locked briefly for every IP', async () => {
    t = await app({ watchpost: { login: { accountThreshold: 12, distinctIpsThreshold: 10 } } });
    for (let i = 0; i < 12; i += 1) await attempt(t.app, `192.0.2.${10 + i}`, 'bob');
    await t.settle();
    const brute = await t.rows('security_events', 'event_type = ?', ['BRUTE_FORCE_ATTEMPT']);
    assert.equal(brute.length, 1);
    assert.equal(json(brute[0].details).pattern, 'distributed_brute_force');
    const fresh = await attempt(t.app, '203.0.113.99', 'bob', 'whatever');
    assert.equal(fresh.status, 429, 'account-wide lock applies from any IP');
    assert.ok(Number(fresh.headers['retry-after']) <= 60, 'and it is short');
    const locks = await t.rows('security_events', 'event_type = ?', ['ACCOUNT_LOCKED']);
    assert.ok(locks.some((l) => json(l.details).scope === 'account'));
  });

  it('one IP trying many accounts: credential stuffing or password spraying is reported once', async () => {
    t = await app({ watchpost: { login: { distinctUsersThreshold: 5 } } });
    for (let i = 0; i < 8; i += 1) await attempt(t.app, '198.51.100.200', `user${i}@example.com`);
    await t.settle();
    const brute = await t.rows('security_events', 'event_type = ?', ['BRUTE_FORCE_ATTEMPT']);
    assert.equal(brute.length, 1);
    assert.equal(json(brute[0].details).pattern, 'password_spraying');
    assert.equal(json(brute[0].details).distinctUsers, 5);
  });

  it('with the default rules, five failures from one IP also cross failed_logins and block the IP', async () => {
    t = await app({ watchpost: { ipBlock: { rules: ['failed_logins'] } } });
    for (let i = 0; i < 5; i += 1) await attempt(t.app, '198.51.100.210', `x${i}`);
    await t.settle();
    const r = await request(t.app).get('/echo').set('X-Forwarded-For', '198.51.100.210');
    assert.equal(r.status, 403);
  });

  it('the function form shares the runtime (custom username field)', async () => {
    t = await app();
    for (let i = 0; i < 5; i += 1) await request(t.app).post('/login2').set('X-Forwarded-For', '203.0.113.7').send({ user: 'carol', pw: 'no' });
    await t.settle();
    assert.equal((await request(t.app).post('/login2').set('X-Forwarded-For', '203.0.113.7').send({ user: 'Carol', pw: 'ok' })).status, 429);
    assert.equal((await request(t.app).post('/login2').set('X-Forwarded-For', '203.0.113.8').send({ user: 'carol', pw: 'ok' })).status, 200);
  });

  it('without wp.middleware() the function form fails closed: no unchecked logins', async () => {
    const { createWatchpost } = await import('../../lib/watchpost');
    const express = (await import('express')).default;
    const wp = await createWatchpost({ env: {}, databaseUrl: 'sqlite::memory:', securityLogPath: '/dev/null' });
    try {
      const bare = express();
      bare.use(express.json());
      let calls = 0;
      bare.post('/login', wp.secureAuth(), (_req, res) => {
        calls += 1;
        res.status(401).end();
      });
      let seen: unknown;
      bare.use((err: unknown, _req: Request, res: Response, _next: unknown) => {
        seen = err;
        res.status(500).end();
      });
      for (let i = 0; i < 3; i += 1) assert.equal((await request(bare).post('/login').send({ username: 'a', password: 'b' })).status, 500);
      assert.equal(calls, 0);
      assert.equal((seen as { code?: string }).code, 'ERR_WATCHPOST_SUITE_NOT_INSTALLED');
      assert.match(String((seen as Error).message), /app\.use\(wp\.middleware\(\)\)/);
    } finally {
      await wp.close();
    }
  });

  it('canary: the password never reaches the log, any table, or a response', async () => {
    t = await app();
    for (let i = 0; i < 7; i += 1) {
      const r = await attempt(t.app, '203.0.113.50', 'dave', CANARY);
      assert.ok(!JSON.stringify(r.body).includes(CANARY));
    }
    await attempt(t.app, '203.0.113.51', GOOD.username, GOOD.password);
    await request(t.app).post('/login').set('X-Forwarded-For', '203.0.113.52').send({ username: "' OR 1=1--", password: CANARY });
    await t.stop();
    assert.ok(!fs.readFileSync(t.logPath, 'utf8').includes(CANARY), 'canary in the log file');
    for (const table of ['security_events', 'security_alerts', 'blocked_ips', 'security_audit_log', 'assessment_anomalies', 'security_metrics']) {
      assert.ok(!JSON.stringify(await t.rows(table)).includes(CANARY), `canary in ${table}`);
    }
    const metrics = await t.wp.registry.metrics();
    assert.ok(!metrics.includes(CANARY) && !metrics.includes('dave'), 'no secrets or usernames in metrics');
  });
});
