import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import request from 'supertest';
import { assert } from '../helpers/counted-assert';
import { tempDir } from '../helpers/watchpost-fixture';
import { createWatchpost } from '../../lib';
import { buildApp } from '../../sample-app/server';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Starts the compiled sample app as `npm start` does; resolves with its port once it listens. */
async function spawnSampleApp(cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'sample-app', 'server.js')], { cwd, env: { PATH: process.env.PATH, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"sample_app_listening","port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited on its own with ${code}: ${out}`));
    });
  });
  return { child, port };
}

describe('sample app', function () {
  this.timeout(30_000);

  it('GET /health answers ok on the embedded defaults, and says nothing else', async () => {
    const tmp = tempDir();
    const wp = await createWatchpost({ env: {}, databaseUrl: `sqlite:${path.join(tmp.dir, 'db.sqlite')}`, securityLogPath: path.join(tmp.dir, 'log') });
    try {
      const res = await request(buildApp(wp)).get('/health');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'ok' });
    } finally {
      await wp.close();
      tmp.cleanup();
    }
  });

  it('starts as `npm start` runs it, serves /health, and exits cleanly on SIGTERM', async () => {
    const tmp = tempDir();
    const { child, port } = await spawnSampleApp(tmp.dir, { SECURITY_LOG_PATH: path.join(tmp.dir, 'security.log') });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.ok(require('node:fs').existsSync(path.join(tmp.dir, 'data', 'watchpost.sqlite')), 'the default SQLite file under ./data');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      tmp.cleanup();
    }
  });
});

describe('sample app with PostgreSQL unreachable at start-up', function () {
  this.timeout(30_000);
  it('starts, serves /health as degraded, and exits cleanly on SIGTERM (it does not quit on its own)', async () => {
    const { freePort } = await import('../helpers/redis-server');
    const deadPort = await freePort();
    const tmp = tempDir();
    const { child, port } = await spawnSampleApp(tmp.dir, { DATABASE_URL: `postgres://nobody@127.0.0.1:${deadPort}/none`, DATABASE_CONNECT_TIMEOUT_MS: '500', SECURITY_LOG_PATH: path.join(tmp.dir, 'security.log') });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      assert.deepEqual(await res.json(), { status: 'degraded' });
      const items = await fetch(`http://127.0.0.1:${port}/api/items?q=tea`);
      assert.equal(items.status, 200, 'requests are served while the database is down');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      tmp.cleanup();
    }
  });
});
