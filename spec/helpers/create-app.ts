/**
 * A small Express app around a real watchpost (SQLite temp file, log file), for supertest.
 */
import path from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import type { WatchpostOptions } from '../../lib/config/options';
import type { MiddlewareOptions } from '../../lib/http/middleware';
import { createWatchpost, type Watchpost } from '../../lib/watchpost';
import { sqliteDatabase, type TestDatabase } from './databases';
import { logLines, openReader, rows, tempDir } from './watchpost-fixture';

/** What a spec gets. */
export interface TestApp {
  readonly app: Express;
  readonly wp: Watchpost;
  readonly db: TestDatabase;
  readonly logPath: string;
  /** Waits for every event to be counted and written. */
  settle(): Promise<void>;
  /** Rows of a table after settling. */
  rows(table: string, where?: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Parsed log lines (after close they are complete). */
  log(): Array<Record<string, unknown>>;
  /** Closes watchpost (flushing the log and the rows) but keeps the files for reading. */
  stop(): Promise<void>;
  /** Stops and removes the files. */
  close(): Promise<void>;
}

/** Options of the test app. */
export interface TestAppOptions {
  readonly watchpost?: WatchpostOptions;
  readonly middleware?: MiddlewareOptions;
  /** Express `trust proxy` setting. */
  readonly trustProxy?: unknown;
  /** Extra routes, added after wp.middleware(). */
  readonly routes?: (app: Express, wp: Watchpost) => void;
  /** Skip express.json() (to send bodies no parser takes). */
  readonly noBodyParser?: boolean;
}

/** Builds the app. Routes: GET /echo (returns req.watchpost), POST /echo, GET /health. */
export async function createTestApp(o: TestAppOptions = {}): Promise<TestApp> {
  const tmp = tempDir();
  const db = sqliteDatabase();
  const logPath = path.join(tmp.dir, 'security.log');
  const wp = await createWatchpost({
    env: {},
    databaseUrl: db.url,
    securityLogPath: logPath,
    securityLogLevel: 'DEBUG',
    ...o.watchpost,
    events: { flushIntervalMs: 10, ...o.watchpost?.events },
  });
  const app = express();
  if (o.trustProxy !== undefined) app.set('trust proxy', o.trustProxy);
  if (!o.noBodyParser) app.use(express.json({ limit: '2mb' }));
  app.use(wp.middleware(o.middleware));
  const echo = (req: Request, res: Response) => {
    const ctx = (req as Request & { watchpost?: Record<string, unknown> }).watchpost;
    res.json({ ip: ctx?.ip, ipKey: ctx?.ipKey, requestId: ctx?.requestId, allowListed: ctx?.allowListed, body: req.body ?? null, query: req.query });
  };
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/echo', echo);
  app.post('/echo', echo);
  app.get('/files/*rest', (req, res) => {
    res.json({ path: req.path });
  });
  app.get('/users/:name', wp.scanParams(), (req, res) => {
    res.json({ name: req.params.name });
  });
  o.routes?.(app, wp);
  app.use(wp.errorHandler());
  let reader: Awaited<ReturnType<typeof openReader>> | undefined;
  let closed = false;
  let stopped = false;
  const self: TestApp = {
    app,
    wp,
    db,
    logPath,
    async settle() {
      await new Promise((r) => setImmediate(r));
      await wp.flush();
    },
    async rows(table, where, params) {
      if (!stopped) await wp.flush();
      reader ??= await openReader(db);
      return rows(reader, table, where, params);
    },
    log() {
      return logLines(logPath);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await wp.close();
    },
    async close() {
      if (closed) return;
      closed = true;
      await self.stop();
      if (reader?.isInitialized) await reader.destroy();
      await db.cleanup();
      tmp.cleanup();
    },
  };
  return self;
}
