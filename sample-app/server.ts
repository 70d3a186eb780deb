/**
 * The sample app: `npm start` runs it on the embedded defaults (SQLite file under ./data,
 * memory store) on PORT (default 3000). It closes watchpost on SIGTERM and SIGINT so that no
 * buffered event is lost.
 *
 * Routes: GET /health, GET /api/items?q=, POST /api/auth/login (@SecureAuth),
 * POST /api/assessments/submit (@SecureAssessment), GET /metrics.
 */
import 'reflect-metadata';
import express, { type Request, type Response } from 'express';
import type { Server } from 'node:http';
import { createWatchpost, SecureAssessment, SecureAuth, type Watchpost, type WatchpostOptions } from '../lib';

/** The demo account. */
export const DEMO_USER = { username: 'demo@example.com', password: 'correct horse battery staple' };

const ITEMS = [
  { id: 1, name: 'Blue notebook', tags: ['paper', 'office'] },
  { id: 2, name: "O'Brien's Irish tea", tags: ['tea', 'food'] },
  { id: 3, name: 'Rock & Roll poster', tags: ['music', 'art'] },
  { id: 4, name: 'Union Station map', tags: ['travel'] },
  { id: 5, name: 'Select-a-size shirt', tags: ['clothes'] },
  { id: 6, name: 'C:\\ drive recovery kit', tags: ['software'] },
];

class AuthController {
  @SecureAuth()
  async login(req: Request, res: Response): Promise<void> {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username === 'string' && username.trim().toLowerCase() === DEMO_USER.username && password === DEMO_USER.password) {
      res.json({ status: 'success' });
      return;
    }
    res.status(401).json({ status: 'failed' });
  }
}

class AssessmentController {
  @SecureAssessment()
  async submit(req: Request, res: Response): Promise<void> {
    const verdict = (req as Request & { watchpost?: { assessment?: unknown } }).watchpost?.assessment;
    res.json({ status: 'received', review: verdict });
  }
}

/** Builds the sample app around a watchpost instance. */
export function buildApp(wp: Watchpost): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Only a proxy on this machine may set X-Forwarded-For (npm run simulate uses it).
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: '100kb' }));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(wp.middleware());

  app.get('/health', async (_req, res) => {
    // Unauthenticated health says only ok or degraded: no versions, hosts or error text.
    const { status } = await wp.health();
    res.json({ status });
  });
  app.get('/metrics', wp.metricsHandler());

  app.get('/api/items', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.toLowerCase() : '';
    res.json({ query: q, items: ITEMS.filter((i) => i.name.toLowerCase().includes(q) || i.tags.some((t) => t.includes(q))) });
  });

  const auth = new AuthController();
  app.post('/api/auth/login', auth.login);
  const assessments = new AssessmentController();
  app.post('/api/assessments/submit', assessments.submit);

  app.use(wp.errorHandler());
  return app;
}

/** Starts the sample app; resolves once it listens. */
export async function start(options: WatchpostOptions = {}, port = Number(process.env.PORT ?? 3000)): Promise<{ server: Server; wp: Watchpost }> {
  const wp = await createWatchpost(options);
  const app = buildApp(wp);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(port, () => resolve(s));
  });
  return { server, wp };
}

async function main(): Promise<void> {
  const { server, wp } = await start();
  const address = server.address();
  console.log(JSON.stringify({ event: 'sample_app_listening', port: typeof address === 'object' && address ? address.port : null }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ event: 'sample_app_stopping', signal }));
    server.close();
    wp.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
