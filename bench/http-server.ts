/**
 * The server side of bench/http.bench.ts, run in its own process so that its CPU time per
 * request can be measured: `node dist/bench/http-server.js <bare|helmet-erl|watchpost>`.
 * It prints `{"port": N}` and answers IPC messages `cpu` with process.cpuUsage().
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { createWatchpost } from '../lib/watchpost';

const mode = process.argv[2] ?? 'bare';
const ITEMS = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `Item number ${i} blue notebook`, tags: ['paper', 'office'] }));

function search(req: Request, res: Response): void {
  const q = typeof req.query.q === 'string' ? req.query.q.toLowerCase() : '';
  res.json({ query: q, items: ITEMS.filter((i) => i.name.includes(q.slice(0, 4))).slice(0, 5) });
}
function login(req: Request, res: Response): void {
  const b = req.body as { username?: string; password?: string };
  res.status(b.username === 'demo@example.com' && b.password === 'correct horse battery staple' ? 200 : 401).json({ ok: true });
}
function submit(req: Request, res: Response): void {
  res.json({ status: 'received', n: Object.keys((req.body as { responses?: object }).responses ?? {}).length });
}

async function main(): Promise<void> {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  let close = async () => undefined as void;
  if (mode === 'helmet-erl') {
    app.use(helmet());
    app.use(rateLimit({ windowMs: 60_000, limit: 1_000_000_000, standardHeaders: 'draft-7', legacyHeaders: false }));
    app.get('/api/items', search);
    app.post('/api/auth/login', login);
    app.post('/api/assessments/submit', submit);
  } else if (mode === 'watchpost') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-http-bench-'));
    // Everything on, with a rate limit high enough never to refuse the load tool.
    const wp = await createWatchpost({ env: {}, databaseUrl: `sqlite:${path.join(dir, 'db.sqlite')}`, securityLogPath: path.join(dir, 'security.log'), rateLimit: { limit: 1_000_000_000, windowMs: 60_000 } });
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
  const server = app.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.send?.({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
  process.on('message', (m: unknown) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (m === 'stop') {
      server.close();
      void close().then(() => process.exit(0));
    }
  });
}

void main();
