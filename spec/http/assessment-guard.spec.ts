/**
 * @SecureAssessment / wp.secureAssessment() end to end: verdicts on req.watchpost, anomaly
 * events and rows, per-user alert threshold, reject option, shared durable baselines.
 */
import type { Express, Request, Response } from 'express';
import request from 'supertest';
import { assert } from '../helpers/counted-assert';
import { createTestApp, type TestApp } from '../helpers/create-app';
import { json } from '../helpers/watchpost-fixture';
import { SecureAssessment } from '../../lib/decorators/secure-assessment';
import { ASSESSMENT_POLICY, getPolicy } from '../../lib/decorators/metadata';
import type { AssessmentPolicy } from '../../lib/config/policies';
import { createWatchpost } from '../../lib/watchpost';

class AssessmentController {
  runs = 0;
  @SecureAssessment({ type: 'ai_job_risk' })
  async submit(this: AssessmentController, req: Request, res: Response): Promise<void> {
    this.runs += 1;
    res.json({ review: (req as Request & { watchpost?: { assessment?: unknown } }).watchpost?.assessment ?? null });
  }
}

/** A submission of `n` items answered in a varied, plausible way (no cycle, no run). */
function submission(user: string, seconds: number, n = 12, extra: Record<string, unknown> = {}) {
  const options = ['a', 'b', 'c', 'd'];
  let h = 2166136261;
  for (const ch of user) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  const responses = Object.fromEntries(
    Array.from({ length: n }, (_, i) => {
      h = Math.imul(h ^ (i + 1), 2654435761) >>> 0;
      return [`q${i + 1}`, options[(h >>> 13) % 4]];
    }),
  );
  return { user, type: 'ai_job_risk', completion_time: seconds, responses, score: 60, submitted_at: new Date().toISOString(), ...extra };
}

describe('http: @SecureAssessment and wp.secureAssessment()', function () {
  this.timeout(30_000);
  let t: TestApp | undefined;
  let ctrl: AssessmentController;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function app(extra: Parameters<typeof createTestApp>[0] = {}): Promise<TestApp> {
    ctrl = new AssessmentController();
    return createTestApp({
      ...extra,
      routes: (a: Express, wp) => {
        a.post('/submit', ctrl.submit.bind(ctrl));
        a.post('/strict', wp.secureAssessment({ type: 'exam', onAnomaly: 'reject' }), (_req, res) => void res.json({ ok: true }));
      },
    });
  }

  it('records the policy at decoration time and refuses bad options naming the method', () => {
    const policy = getPolicy<AssessmentPolicy>(AssessmentController.prototype.submit, ASSESSMENT_POLICY);
    assert.equal(policy?.type, 'ai_job_risk');
    assert.equal(policy?.onAnomaly, 'annotate');
    assert.throws(
      () => {
        class Bad {
          @SecureAssessment({ onAnomaly: 'explode' as never })
          submit() {}
        }
        return Bad;
      },
      (e: Error & { code?: string }) => e.code === 'ERR_WATCHPOST_INVALID_OPTION' && /@SecureAssessment\(\) on Bad\.submit/.test(e.message),
    );
  });

  it('an ordinary submission passes with a clean verdict; the handler runs', async () => {
    t = await app();
    const r = await request(t.app).post('/submit').send(submission('alice', 300));
    assert.equal(r.status, 200);
    assert.equal(r.body.review.anomalous, false);
    assert.equal(ctrl.runs, 1);
    assert.equal((await t.rows('assessment_anomalies')).length, 0);
  });

  it('a rushed submission is flagged: the handler still runs with the verdict, an event and a linked row are written', async () => {
    t = await app();
    const r = await request(t.app).post('/submit').send({ assessment_data: submission('bob', 3, 20) });
    assert.equal(r.status, 200);
    assert.equal(r.body.review.anomalous, true);
    const types = (r.body.review.anomalies as Array<{ type: string; details: Record<string, unknown> }>).map((a) => a.type);
    assert.ok(types.includes('too_fast'), `anomalies: ${types.join(',')}`);
    const tooFast = (r.body.review.anomalies as Array<{ type: string; details: Record<string, unknown> }>).find((a) => a.type === 'too_fast');
    assert.ok(tooFast && 'observed' in tooFast.details && 'threshold' in tooFast.details, 'explained: observed value and threshold');
    await t.settle();
    const events = await t.rows('security_events', 'event_type = ?', ['ASSESSMENT_ANOMALY']);
    assert.equal(events.length, 1);
    assert.equal(events[0].user_identifier, 'bob');
    const rows = await t.rows('assessment_anomalies');
    assert.ok(rows.length >= 1);
    assert.equal(rows[0].event_id, events[0].id);
    assert.equal(rows[0].assessment_type, 'ai_job_risk');
    assert.equal(rows[0].user_identifier, 'bob');
    assert.ok('threshold' in json(rows[0].details));
    assert.match(await t.wp.registry.metrics(), /watchpost_assessment_anomalies_total\{rule="too_fast"\} 1/);
  });

  it('onAnomaly: reject answers 422 and the handler does not run; a clean one passes', async () => {
    t = await app();
    const bad = await request(t.app).post('/strict').send(submission('carol', 2, 20));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.code, 'assessment_rejected');
    const good = await request(t.app).post('/strict').send(submission('dave', 400, 20));
    assert.equal(good.status, 200);
  });

  it('two anomalous submissions of one user within an hour raise an assessment_anomalies alert, and do not block the IP', async () => {
    t = await app();
    await request(t.app).post('/submit').send(submission('erin', 2, 20));
    await request(t.app).post('/submit').send(submission('erin', 3, 20));
    await t.settle();
    const alerts = await t.rows('security_alerts', 'rule = ?', ['assessment_anomalies']);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].key_type, 'user');
    assert.equal(alerts[0].alert_key, 'erin');
    assert.equal((await request(t.app).get('/echo')).status, 200, 'not blocked');
  });

  it('injection in a free-text answer is an anomaly (monitor mode lets it reach the check); a benign look-alike is not', async () => {
    t = await app({ watchpost: { injection: { mode: 'monitor' } } });
    const bad = await request(t.app).post('/submit').send(submission('frank', 300, 12, { responses: { ...submission('frank', 300).responses, comment: "x' UNION SELECT password FROM users--" } }));
    assert.ok((bad.body.review.anomalies as Array<{ type: string }>).some((a) => a.type === 'injection'));
    const good = await request(t.app).post('/submit').send(submission('gina', 300, 12, { responses: { ...submission('gina', 300).responses, comment: "I'd select a plan with Mr. O'Brien; drop off at union station" } }));
    assert.equal(good.body.review.anomalous, false);
  });

  it('the submission time is the server\'s: a client date far in the future cannot move the baseline window', async () => {
    t = await app();
    for (let i = 0; i < 5; i += 1) await request(t.app).post('/submit').send(submission(`early${i}`, 300));
    await request(t.app).post('/submit').send(submission('time-traveller', 300, 12, { submitted_at: '2099-01-01T00:00:00Z' }));
    await t.settle();
    const stored = await t.rows('assessment_baseline_samples', 'assessment_type = ?', ['ai_job_risk']);
    assert.equal(stored.length, 6, 'no sample was expired');
    assert.ok(stored.every((r) => Number(r.at_ms) <= Date.now() + 1000), 'every sample carries the server time');
  });

  it('formatting markup in a typed answer is not an injection anomaly (the route scans in monitor mode)', async () => {
    t = await app({ watchpost: { injection: { mode: 'block', routes: [{ path: '/submit', mode: 'monitor' }] } } });
    const r = await request(t.app).post('/submit').send(submission('kim', 300, 12, { responses: { ...submission('kim', 300).responses, comment: 'My <b>main</b> point: <em>automation</em> helps.' } }));
    assert.equal(r.status, 200);
    assert.equal(r.body.review.anomalous, false);
  });

  it('without wp.middleware() the function form fails closed instead of passing unchecked', async () => {
    const peer = await createWatchpost({ env: {}, databaseUrl: 'sqlite::memory:', securityLogPath: '/dev/null' });
    try {
      const express = (await import('express')).default;
      const bare = express();
      bare.use(express.json());
      let ran = false;
      bare.post('/submit', peer.secureAssessment({ type: 'x' }), (_req, res) => {
        ran = true;
        res.json({});
      });
      let seen: unknown;
      bare.use((err: unknown, _req: Request, res: Response, _next: unknown) => {
        seen = err;
        res.status(500).end();
      });
      const r = await request(bare).post('/submit').send(submission('z', 300));
      assert.equal(r.status, 500);
      assert.equal(ran, false);
      assert.equal((seen as { code?: string }).code, 'ERR_WATCHPOST_SUITE_NOT_INSTALLED');
    } finally {
      await peer.close();
    }
  });

  it('what is not a submission is skipped with a reason, never refused', async () => {
    t = await app();
    const r = await request(t.app).post('/submit').send({ user: 'h', type: 'ai_job_risk', completion_time: 'soon', responses: {} });
    assert.equal(r.status, 200);
    assert.match(String(r.body.review.skipped), /completion_time/);
  });

  it('ENABLE_ANOMALY_DETECTION=false: no checks, the handler runs unchanged', async () => {
    t = await app({ watchpost: { enableAnomalyDetection: false } });
    const r = await request(t.app).post('/submit').send(submission('ivan', 1, 30));
    assert.equal(r.status, 200);
    assert.equal(r.body.review, null);
  });

  it('baselines live in the database: shared with another instance and kept across a restart', async () => {
    t = await app();
    for (let i = 0; i < 12; i += 1) await request(t.app).post('/submit').send(submission(`user${i}`, 200 + i * 10));
    await t.settle();
    const stored = await t.rows('assessment_baseline_samples', 'assessment_type = ?', ['ai_job_risk']);
    assert.equal(stored.length, 12);
    // A second instance on the same database (a new process after a restart, or a peer) sees them.
    const peer = await createWatchpost({ env: {}, databaseUrl: t.db.url, securityLogPath: `${t.logPath}.peer` });
    try {
      const express = (await import('express')).default;
      const peerApp = express();
      peerApp.use(express.json());
      peerApp.use(peer.middleware());
      peerApp.post('/submit', peer.secureAssessment({ type: 'ai_job_risk' }), (req, res) => void res.json((req as Request & { watchpost?: { assessment?: unknown } }).watchpost?.assessment));
      await request(peerApp).post('/submit').send(submission('peer-user-0', 250));
      await peer.flush(); // the first load runs in the background
      const r = await request(peerApp).post('/submit').send(submission('peer-user-1', 260));
      assert.ok(r.body.baseline.n >= 12, `the peer sees the shared baseline (n = ${r.body.baseline.n})`);
    } finally {
      await peer.close();
    }
  });
});
