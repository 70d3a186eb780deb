/**
 * The apps and requests of the request-side benchmark (bench/http.bench.ts, over loopback).
 * Three servers with the same routes:
 * `bare` Express, `helmet-erl` (helmet + express-rate-limit alone, for reference) and
 * `watchpost` (the full wp.middleware(), wp.secureAuth(), wp.secureAssessment()).
 *
 * The requests vary the way real traffic does, so that nothing is measured on one value
 * repeated: every GET searches a different 40-character text, every login is a different
 * user, every assessment is a different student with their own answers.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { createWatchpost } from '../lib/watchpost';
import { seeded } from '../lib/core/seeded-random';

export const MODES = ['bare', 'helmet-erl', 'watchpost'] as const;
export type Mode = (typeof MODES)[number];

export const PASSWORD = 'correct horse battery staple';

/** One kind of request; `request(n)` gives the n-th one (n = 0, 1, 2, ...). */
export interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** Target of the added server CPU µs per request. */
  readonly targetUs: number;
  request(n: number): { readonly path: string; readonly body?: string };
}

const WORDS = ['blue', 'notebook', 'for', 'the', 'office', 'desk', 'ruled', 'paper', 'green', 'pen', 'A5', 'dotted', 'soft', 'cover', 'pack', 'of', 'three', 'refill', 'black', 'ink'];

/** A search text of exactly 40 characters, different for every n. */
export function query40(n: number): string {
  const r = seeded(n + 1);
  let s = '';
  while (s.length < 40) s += `${WORDS[Math.floor(r() * WORDS.length)]} `;
  return `${s.slice(0, 33)} ${String(n).padStart(6, '0')}`.slice(0, 40);
}

const LIKERT = ['strongly agree', 'agree', 'neutral', 'disagree', 'strongly disagree'];

/**
 * A 60-item Likert form with per-item times and a short free-text answer, padded to 2 KB.
 * Answers and times vary from student to student (seeded), with no run or cycle: an
 * ordinary submission, not an anomaly.
 */
export function assessmentBody(n: number): string {
  const r = seeded(n + 1000);
  const responses: Record<string, string> = {};
  const itemTimes: Record<string, number> = {};
  for (let i = 1; i <= 60; i += 1) {
    responses[`q${i}`] = LIKERT[Math.floor(r() * 5)];
    itemTimes[`q${i}`] = Math.round((3 + r() * 9) * 10) / 10;
  }
  const body = {
    user: `s${String(n % 1_000_000).padStart(6, '0')}`,
    type: 'ai_job_risk',
    completion_time: Math.round(Object.values(itemTimes).reduce((a, b) => a + b, 0) + 20),
    responses: { ...responses, comment: 'Mostly the reporting side of my job will change.' },
    item_times: itemTimes,
    score: 40 + Math.floor(r() * 50),
    note: '',
  };
  body.note = 'x'.repeat(Math.max(0, 2048 - JSON.stringify(body).length));
  return JSON.stringify(body);
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'GET /api/items?q=<40 chars>', method: 'GET', targetUs: 85, request: (n) => ({ path: `/api/items?q=${encodeURIComponent(query40(n))}` }) },
  {
    name: 'POST /api/auth/login',
    method: 'POST',
    targetUs: 85,
    // A successful login of a different user each time (the handler accepts any username).
    request: (n) => ({ path: '/api/auth/login', body: JSON.stringify({ username: `user${n}@example.com`, password: PASSWORD }) }),
  },
  { name: 'POST /api/assessments/submit (2 KB)', method: 'POST', targetUs: 100, request: (n) => ({ path: '/api/assessments/submit', body: assessmentBody(n) }) },
];

const ITEMS = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `Item number ${i} blue notebook`, tags: ['paper', 'office'] }));

function search(req: Request, res: Response): void {
  const q = typeof req.query.q === 'string' ? req.query.q.toLowerCase() : '';
  res.json({ query: q, items: ITEMS.filter((i) => i.name.includes(q.slice(0, 4))).slice(0, 5) });
}
function login(req: Request, res: Response): void {
  const b = req.body as { username?: string; password?: string };
  res.status(typeof b.username === 'string' && b.password === PASSWORD ? 200 : 401).json({ ok: true });
}
function submit(req: Request, res: Response): void {
  res.json({ status: 'received', n: Object.keys((req.body as { responses?: object }).responses ?? {}).length });
}

/** Builds one of the three apps; `close` releases what it holds. */
export async function buildApp(mode: Mode): Promise<{ app: Express; close: () => Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  let close = async (): Promise<void> => undefined;
  if (mode === 'helmet-erl') {
    app.use(helmet());
    app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: 'draft-7', legacyHeaders: false }));
    app.get('/api/items', search);
    app.post('/api/auth/login', login);
    app.post('/api/assessments/submit', submit);
  } else if (mode === 'watchpost') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-http-bench-'));
    // Everything on (embedded defaults: SQLite file, memory store), with a rate limit high
    // enough never to refuse the load tool.
    const wp = await createWatchpost({
      env: {},
      databaseUrl: `sqlite:${path.join(dir, 'db.sqlite')}`,
      securityLogPath: path.join(dir, 'security.log'),
      rateLimit: { limit: 1_000_000_000, windowMs: 60_000 },
    });
    app.use(wp.middleware());
    app.get('/api/items', search);
    app.post('/api/auth/login', wp.secureAuth(), login);
    app.post('/api/assessments/submit', wp.secureAssessment(), submit);
    app.use(wp.errorHandler());
    close = async () => {
      await wp.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  } else {
    app.get('/api/items', search);
    app.post('/api/auth/login', login);
    app.post('/api/assessments/submit', submit);
  }
  return { app, close };
}
