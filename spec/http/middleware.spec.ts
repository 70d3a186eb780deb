/**
 * wp.middleware() end to end with supertest: identity, proxies, lists, blocks, headers,
 * rate limits and injection scanning. Attacks are always paired with benign look-alikes.
 */
import express from 'express';
import request from 'supertest';
import { assert } from '../helpers/counted-assert';
import { createTestApp, type TestApp } from '../helpers/create-app';
import { json } from '../helpers/watchpost-fixture';
import { MemoryStore } from '../../lib/stores/memory-store';

describe('http: wp.middleware()', function () {
  this.timeout(20_000);
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  describe('request identity', () => {
    it('makes a request id, echoes it, and honours a sane incoming X-Request-Id only', async () => {
      t = await createTestApp();
      const before = Date.now();
      const made = await request(t.app).get('/echo');
      // A made id is a UUIDv7: time-ordered, so that the events' request_id index appends.
      assert.match(made.headers['x-request-id'], /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const madeMs = parseInt(made.headers['x-request-id'].replace(/-/g, '').slice(0, 12), 16);
      assert.ok(madeMs >= before && madeMs <= Date.now(), `timestamp ${madeMs} of the request id is the time it was made`);
      assert.equal(made.body.requestId, made.headers['x-request-id']);
      const kept = await request(t.app).get('/echo').set('X-Request-Id', 'trace-abc.123:9');
      assert.equal(kept.headers['x-request-id'], 'trace-abc.123:9');
      const replaced = await request(t.app).get('/echo').set('X-Request-Id', 'bad id with spaces and <script>');
      assert.match(replaced.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    });

    it('trust proxy off: a spoofed X-Forwarded-For changes nothing, and one warning is logged', async () => {
      t = await createTestApp();
      const r1 = await request(t.app).get('/echo').set('X-Forwarded-For', '6.6.6.6');
      const r2 = await request(t.app).get('/echo').set('X-Forwarded-For', '7.7.7.7');
      assert.equal(r1.body.ip, '127.0.0.1');
      assert.equal(r2.body.ip, '127.0.0.1');
      await t.stop();
      const warnings = t.log().filter((l) => l.code === 'WRN_WATCHPOST_UNEXPECTED_X_FORWARDED_FOR');
      assert.equal(warnings.length, 1);
    });

    it('trust proxy = 1 takes the last hop; the IPv4-mapped form keys as IPv4; IPv6 keys by /56', async () => {
      t = await createTestApp({ trustProxy: 1 });
      const v4 = await request(t.app).get('/echo').set('X-Forwarded-For', '6.6.6.6, 203.0.113.7');
      assert.equal(v4.body.ip, '203.0.113.7');
      const mapped = await request(t.app).get('/echo').set('X-Forwarded-For', '::ffff:102:304');
      assert.equal(mapped.body.ipKey, '1.2.3.4');
      const v6 = await request(t.app).get('/echo').set('X-Forwarded-For', '2001:DB8:0:12ab::1');
      assert.equal(v6.body.ip, '2001:db8:0:12ab::1');
      assert.equal(v6.body.ipKey, '2001:db8:0:1200::/56');
    });

    it('trust proxy = true logs a one-time warning', async () => {
      t = await createTestApp({ trustProxy: true });
      await request(t.app).get('/echo').set('X-Forwarded-For', '9.9.9.9');
      await request(t.app).get('/echo').set('X-Forwarded-For', '8.8.8.8');
      await t.stop();
      assert.equal(t.log().filter((l) => l.code === 'WRN_WATCHPOST_PERMISSIVE_TRUST_PROXY').length, 1);
    });

    it('odd forwarded addresses never throw: they fall back to the peer address', async () => {
      t = await createTestApp({ trustProxy: true });
      for (const xff of ['unknown', '', '999.1.1.1', '[::1]:80', 'fe80::1%eth0', Array.from({ length: 1000 }, (_, i) => `10.0.${i % 256}.1`).join(', ')]) {
        const r: request.Response = await request(t.app).get('/echo').set('X-Forwarded-For', xff);
        assert.equal(r.status, 200, `XFF ${xff.slice(0, 30)}`);
        assert.ok(typeof r.body.ip === 'string' && r.body.ip.length > 0);
      }
    });
  });

  describe('allow and deny lists, blocked IPs', () => {
    it('a deny-listed client gets 403; an allow-listed one is never refused for a block', async () => {
      t = await createTestApp({ trustProxy: 1, watchpost: { denyList: ['198.51.100.0/24'], allowList: ['203.0.113.0/24', '2001:db8::/32'] } });
      assert.equal((await request(t.app).get('/echo').set('X-Forwarded-For', '198.51.100.77')).status, 403);
      assert.equal((await request(t.app).get('/echo').set('X-Forwarded-For', '198.51.101.77')).status, 200);
      await t.wp.blockIp('203.0.113.5', { actor: 'spec' });
      const allowed = await request(t.app).get('/echo').set('X-Forwarded-For', '203.0.113.5');
      assert.equal(allowed.status, 200);
      assert.equal(allowed.body.allowListed, true);
    });

    it('a blocked IP gets 403 with Retry-After before any other work, also in its IPv4-mapped form', async () => {
      t = await createTestApp({ trustProxy: 1 });
      await t.wp.blockIp('192.0.2.50', { actor: 'spec', durationMs: 120_000 });
      const r = await request(t.app).get('/echo?q=hello').set('X-Forwarded-For', '192.0.2.50');
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 'blocked');
      const retry = Number(r.headers['retry-after']);
      assert.ok(retry > 100 && retry <= 120, `Retry-After ${retry}`);
      assert.equal((await request(t.app).get('/echo').set('X-Forwarded-For', '::ffff:192.0.2.50')).status, 403);
      assert.equal((await request(t.app).get('/echo').set('X-Forwarded-For', '192.0.2.51')).status, 200);
    });

    it('a flood from a blocked IP writes one aggregated event with a count, not one row per request', async () => {
      t = await createTestApp({ trustProxy: 1 });
      await t.wp.blockIp('192.0.2.60', { actor: 'spec' });
      for (let i = 0; i < 150; i += 1) await request(t.app).get(`/echo?i=${i}`).set('X-Forwarded-For', '192.0.2.60');
      await t.stop(); // close() emits the aggregated events before the final flush
      const refused = await t.rows('security_events', 'event_type = ?', ['BLOCKED_REQUEST']);
      assert.equal(refused.length, 1);
      assert.equal(json(refused[0].details).count, 150);
    });

    it('health paths are exempt: a blocked client still gets /health', async () => {
      t = await createTestApp({ trustProxy: 1 });
      await t.wp.blockIp('192.0.2.61', { actor: 'spec' });
      assert.equal((await request(t.app).get('/health').set('X-Forwarded-For', '192.0.2.61')).status, 200);
      assert.equal((await request(t.app).get('/health?q=%27%20OR%201%3D1--')).status, 200, 'not scanned');
    });
  });

  describe('security headers', () => {
    it('helmet headers are on by default and can be turned off', async () => {
      t = await createTestApp();
      const on = await request(t.app).get('/echo');
      assert.equal(on.headers['x-content-type-options'], 'nosniff');
      assert.ok(on.headers['content-security-policy']);
      await t.close();
      t = await createTestApp({ watchpost: { securityHeaders: false } });
      const off = await request(t.app).get('/echo');
      assert.equal(off.headers['x-content-type-options'], undefined);
    });
  });

  describe('rate limiting', () => {
    it('refuses past the limit with 429, Retry-After and RateLimit headers, and logs RATE_LIMIT_EXCEEDED', async () => {
      t = await createTestApp({ watchpost: { rateLimit: { limit: 5, windowMs: 60_000 } } });
      for (let i = 0; i < 5; i += 1) assert.equal((await request(t.app).get('/echo')).status, 200);
      const r = await request(t.app).get('/echo');
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers['retry-after']) >= 1);
      assert.ok(r.headers.ratelimit || r.headers['ratelimit-limit'], 'standard RateLimit headers');
      assert.equal((await t.rows('security_events', 'event_type = ?', ['RATE_LIMIT_EXCEEDED'])).length, 1);
    });

    it('ten refusals cross rate_limit_violations and block the IP (403 afterwards)', async () => {
      t = await createTestApp({ watchpost: { rateLimit: { limit: 1, windowMs: 60_000 } } });
      await request(t.app).get('/echo');
      for (let i = 0; i < 10; i += 1) await request(t.app).get('/echo');
      await t.settle();
      const after = await request(t.app).get('/echo');
      assert.equal(after.status, 403);
      assert.equal((await t.rows('security_alerts', 'rule = ?', ['rate_limit_violations'])).length, 1);
    });

    it('limits hold across instances sharing a store', async () => {
      const shared = new MemoryStore();
      t = await createTestApp({ watchpost: { store: shared, rateLimit: { limit: 4, windowMs: 60_000 } } });
      const other = await createTestApp({ watchpost: { store: shared, rateLimit: { limit: 4, windowMs: 60_000 } } });
      try {
        for (let i = 0; i < 2; i += 1) await request(t.app).get('/echo');
        for (let i = 0; i < 2; i += 1) await request(other.app).get('/echo');
        assert.equal((await request(t.app).get('/echo')).status, 429);
        assert.equal((await request(other.app).get('/echo')).status, 429);
      } finally {
        await other.close();
      }
    });

    it('a custom store that fails is insured by memory under the default policy: requests keep working', async () => {
      const { StoreError } = await import('../../lib/core/errors');
      const broken = new MemoryStore();
      const fail = () => Promise.reject(new StoreError('ERR_WATCHPOST_STORE_UNAVAILABLE', 'custom store down'));
      const failing = Object.assign(Object.create(broken) as MemoryStore, {
        kind: 'redis' as const,
        increment: fail,
        get: fail,
        blockedUntil: fail,
        block: fail,
        claim: fail,
      });
      t = await createTestApp({ watchpost: { store: failing, rateLimit: { limit: 3, windowMs: 60_000 } } });
      for (let i = 0; i < 3; i += 1) assert.equal((await request(t.app).get('/echo')).status, 200);
      assert.equal((await request(t.app).get('/echo')).status, 429, 'the memory fallback still counts');
      const health = await t.wp.health();
      assert.equal(health.store.state, 'fallback');
      assert.ok(health.store.errors >= 1);
    });

    it('ENABLE_RATE_LIMITING=false turns it off; allow-listed clients are never limited', async () => {
      t = await createTestApp({ watchpost: { enableRateLimiting: false, rateLimit: { limit: 1, windowMs: 60_000 } } });
      for (let i = 0; i < 5; i += 1) assert.equal((await request(t.app).get('/echo')).status, 200);
      await t.close();
      t = await createTestApp({ watchpost: { allowList: ['127.0.0.1'], rateLimit: { limit: 1, windowMs: 60_000 } } });
      for (let i = 0; i < 5; i += 1) assert.equal((await request(t.app).get('/echo')).status, 200);
    });
  });

  describe('injection scanning (attacks with benign look-alikes)', () => {
    const pairs: Array<{ name: string; attack: (a: express.Express) => request.Test; benign: (a: express.Express) => request.Test; type: string }> = [
      { name: 'SQL in a query value', attack: (a) => a && request(a).get('/echo').query({ q: "' OR 1=1--" }), benign: (a) => request(a).get('/echo').query({ q: "O'Brien" }), type: 'SQL_INJECTION_ATTEMPT' },
      { name: 'UNION SELECT vs "drop off at union station"', attack: (a) => request(a).get('/echo').query({ q: '1 UNION SELECT password FROM users' }), benign: (a) => request(a).get('/echo').query({ q: 'drop off at union station' }), type: 'SQL_INJECTION_ATTEMPT' },
      { name: 'XSS in a JSON body', attack: (a) => request(a).post('/echo').send({ comment: '<script>alert(1)</script>' }), benign: (a) => request(a).post('/echo').send({ comment: 'I <3 NY' }), type: 'XSS_ATTEMPT' },
      { name: 'NoSQL operator in a JSON body', attack: (a) => request(a).post('/echo').send({ user: { $ne: null } }), benign: (a) => request(a).post('/echo').send({ price: '$5 each' }), type: 'NOSQL_INJECTION_ATTEMPT' },
      { name: 'NoSQL operator in a query key', attack: (a) => request(a).get('/echo?user[$ne]=x'), benign: (a) => request(a).get('/echo?user=ne'), type: 'NOSQL_INJECTION_ATTEMPT' },
      { name: 'shell in a body field', attack: (a) => request(a).post('/echo').send({ host: 'example.com; cat /etc/passwd' }), benign: (a) => request(a).post('/echo').send({ host: 'Tom & Jerry' }), type: 'COMMAND_INJECTION_ATTEMPT' },
      { name: 'path traversal in the URL path', attack: (a) => request(a).get('/files/..%2f..%2f..%2fetc%2fpasswd'), benign: (a) => request(a).get('/files/report..final.pdf'), type: 'PATH_TRAVERSAL_ATTEMPT' },
      { name: 'XSS in a cookie', attack: (a) => request(a).get('/echo').set('Cookie', 'theme=%3Cscript%3Ealert(1)%3C%2Fscript%3E'), benign: (a) => request(a).get('/echo').set('Cookie', 'theme=dark'), type: 'XSS_ATTEMPT' },
      { name: 'SQL in the Referer', attack: (a) => request(a).get('/echo').set('Referer', "https://x.example/?id=1' UNION SELECT 1--"), benign: (a) => request(a).get('/echo').set('Referer', 'https://www.example.com/search?q=select+a+plan'), type: 'SQL_INJECTION_ATTEMPT' },
    ];
    for (const p of pairs) {
      it(`${p.name}: refused 403 and logged; the look-alike passes`, async () => {
        t = await createTestApp();
        const bad = await p.attack(t.app);
        assert.equal(bad.status, 403);
        assert.equal(bad.body.code, 'request_refused');
        assert.ok(!JSON.stringify(bad.body).includes('script') && !JSON.stringify(bad.body).includes('UNION'), 'the body does not repeat the payload');
        const good = await p.benign(t.app);
        assert.equal(good.status, 200, `benign look-alike refused: ${JSON.stringify(good.body)}`);
        const events = await t.rows('security_events', 'event_type = ?', [p.type]);
        assert.equal(events.length, 1);
        const details = json(events[0].details);
        assert.equal(details.blocked, true);
        const findings = details.findings as Array<Record<string, unknown>>;
        assert.ok(findings.length >= 1 && typeof findings[0].location === 'string' && String(findings[0].snippet).length <= 120);
      });
    }

    it('route params are scanned where the route is known (wp.scanParams())', async () => {
      t = await createTestApp();
      const bad = await request(t.app).get(`/users/${encodeURIComponent('<svg onload=alert(1)>')}`);
      assert.equal(bad.status, 403);
      const good = await request(t.app).get(`/users/${encodeURIComponent("Miles O'Brien")}`);
      assert.equal(good.status, 200);
      assert.equal(good.body.name, "Miles O'Brien");
      const events = await t.rows('security_events', 'event_type = ?', ['XSS_ATTEMPT']);
      assert.ok(events.length >= 1);
      assert.ok((json(events[events.length - 1].details).findings as Array<{ location: string }>).some((f) => f.location === 'param' || f.location === 'path'));
    });

    it('monitor mode logs but lets the request through; per-route modes override the global one', async () => {
      t = await createTestApp({ watchpost: { injection: { mode: 'monitor', routes: [{ path: '/files', mode: 'block' }] } } });
      assert.equal((await request(t.app).get('/echo').query({ q: "' OR 1=1--" })).status, 200);
      assert.equal((await request(t.app).get('/files/..%2f..%2fetc%2fpasswd')).status, 403);
      const sql = await t.rows('security_events', 'event_type = ?', ['SQL_INJECTION_ATTEMPT']);
      assert.equal(sql.length, 1);
      assert.equal(json(sql[0].details).blocked, false);
    });

    it('three attacks from one IP cross the injection threshold: the IP is blocked for everything', async () => {
      t = await createTestApp();
      for (let i = 0; i < 3; i += 1) await request(t.app).get('/echo').query({ q: `' OR ${i}=${i}--` });
      await t.settle();
      const r = await request(t.app).get('/echo').query({ q: 'harmless' });
      assert.equal(r.status, 403);
      assert.equal(r.body.code, 'blocked');
    });

    it('prototype-pollution keys are refused, and nothing is polluted', async () => {
      t = await createTestApp();
      const r = await request(t.app).post('/echo').set('Content-Type', 'application/json').send('{"__proto__":{"isAdmin":true}}');
      assert.equal(r.status, 403);
      const c = await request(t.app).post('/echo').send({ constructor: { prototype: { isAdmin: true } } });
      assert.equal(c.status, 403);
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
      assert.equal((await request(t.app).post('/echo').send({ constructorName: 'Ada' })).status, 200);
    });

    it('passwords are not scanned and never appear in a snippet', async () => {
      t = await createTestApp();
      const r = await request(t.app).post('/echo').send({ username: 'ann', password: "' OR 1=1-- <script>" });
      assert.equal(r.status, 200);
      assert.equal((await t.rows('security_events')).length, 0);
    });

    it('secret query parameters and nested secret fields are not scanned either; the same value elsewhere is an attack', async () => {
      t = await createTestApp();
      const canary = "CANARY-51d' OR 1=1-- <script>alert(1)</script>";
      assert.equal((await request(t.app).get('/echo').query({ q: 'shoes', access_token: canary })).status, 200);
      assert.equal((await request(t.app).post('/echo').send({ user: { name: 'ann', api_key: canary } })).status, 200);
      assert.equal((await t.rows('security_events')).length, 0);
      const r = await request(t.app).get('/echo').query({ q: canary, access_token: canary });
      assert.equal(r.status, 403, 'the same value in an ordinary field is refused');
      const events = await t.rows('security_events');
      assert.ok(events.length > 0);
      for (const e of events) assert.ok(!JSON.stringify(e.details).includes('access_token=CANARY'), 'the secret parameter is not echoed');
    });

    it('a body no parser took (JSON sent as text/plain) is still scanned; a benign one reaches the app', async () => {
      t = await createTestApp({ noBodyParser: true });
      const bad = await request(t.app).post('/echo').set('Content-Type', 'text/plain').send('{"q":"<script>alert(1)</script>"}');
      assert.equal(bad.status, 403);
      const good = await request(t.app).post('/echo').set('Content-Type', 'text/plain').send('just a note about Rock & Roll');
      assert.equal(good.status, 200);
      assert.equal(good.body.body, 'just a note about Rock & Roll');
    });

    it('malformed JSON gets a clear 400 with an event, never a crash', async () => {
      t = await createTestApp();
      const r = await request(t.app).post('/echo').set('Content-Type', 'application/json').send('{"a": ');
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'malformed_body');
      assert.equal((await t.rows('security_events', 'event_type = ?', ['MALFORMED_REQUEST'])).length, 1);
    });

    it('JSON nested 10,000 deep and very wide bodies answer without a crash', async () => {
      t = await createTestApp();
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
      const d = await request(t.app).post('/echo').set('Content-Type', 'application/json').send(`{"a":${deep}}`);
      assert.ok([200, 400, 413].includes(d.status), `status ${d.status}`);
      const wide = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, 'v']));
      const w = await request(t.app).post('/echo').send(wide);
      assert.ok([200, 413].includes(w.status), `status ${w.status}`);
      assert.equal((await request(t.app).get('/echo')).status, 200, 'still serving');
    });

    it('query parameter pollution: every value of a repeated parameter is scanned', async () => {
      t = await createTestApp();
      assert.equal((await request(t.app).get("/echo?q=ok&q=' OR 1=1--")).status, 403);
      assert.equal((await request(t.app).get('/echo?q=ok&q=fine')).status, 200);
    });
  });

  describe('misuse', () => {
    it('app.use(wp.middleware) without the call fails with a message showing the right form', async () => {
      t = await createTestApp();
      const app = express();
      app.use(t.wp.middleware as unknown as express.RequestHandler);
      app.get('/', (_req, res) => void res.send('x'));
      let seen: unknown;
      app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen = err;
        res.status(500).end();
      });
      await request(app).get('/');
      assert.match(String((seen as Error).message), /app\.use\(wp\.middleware\(\)\)/);
      assert.equal((seen as { code?: string }).code, 'ERR_WATCHPOST_MIDDLEWARE_NOT_CALLED');
    });

    it('a decorated handler in an app without wp.middleware() fails closed, saying what to mount', async () => {
      const { SecureAuth } = await import('../../lib/decorators/secure-auth');
      class Ctrl {
        @SecureAuth()
        async login(_req: express.Request, res: express.Response) {
          res.json({ ok: true });
        }
      }
      const app = express();
      app.use(express.json());
      let called = false;
      const ctrl = new Ctrl();
      app.post('/login', (req, res, next) => {
        called = true;
        return (ctrl.login as unknown as (a: unknown, b: unknown, c: unknown) => Promise<void>)(req, res, next);
      });
      let seen: unknown;
      app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        seen = err;
        res.status(500).json({ error: 'x' });
      });
      const r: request.Response = await request(app).post('/login').send({ username: 'a', password: 'b' });
      assert.equal(called, true);
      assert.equal(r.status, 500);
      assert.equal((seen as { code?: string }).code, 'ERR_WATCHPOST_SUITE_NOT_INSTALLED');
      assert.match(String((seen as Error).message), /app\.use\(wp\.middleware\(\)\)/);
    });
  });
});
