/**
 * The sample app: `npm start` runs it on the embedded defaults (SQLite file under ./data,
 * memory store) on PORT (default 3000). It closes watchpost on SIGTERM and SIGINT so that no
 * buffered event is lost.
 */
import 'reflect-metadata';
import express from 'express';
import type { Server } from 'node:http';
import { createWatchpost, type Watchpost } from '../lib';

/** Builds the sample app around a watchpost instance. */
export function buildApp(wp: Watchpost): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  app.get('/health', async (_req, res) => {
    // Unauthenticated health says only ok or degraded: no versions, hosts or error text.
    const { status } = await wp.health();
    res.json({ status });
  });
  return app;
}

async function main(): Promise<void> {
  const wp = await createWatchpost();
  const app = buildApp(wp);
  const port = Number(process.env.PORT ?? 3000);
  const server: Server = app.listen(port, () => {
    const address = server.address();
    console.log(JSON.stringify({ event: 'sample_app_listening', port: typeof address === 'object' && address ? address.port : port }));
  });
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
