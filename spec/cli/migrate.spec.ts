import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { assert } from '../helpers/counted-assert';
import { postgresDatabase, postgresUrl } from '../helpers/databases';
import { tempDir } from '../helpers/watchpost-fixture';
import { main } from '../../lib/cli';

const ROOT = path.resolve(__dirname, '..', '..', '..');

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => (o += c.toString()));
  err.on('data', (c: Buffer) => (e += c.toString()));
  const code = await main(args, { stdin: new PassThrough(), stdout: out, stderr: err, env });
  return { code, out: o, err: e };
}

describe('cli: watchpost migrate', function () {
  this.timeout(30_000);

  it('applies the migrations to DATABASE_URL, then reports it up to date; --show lists them', async () => {
    const tmp = tempDir();
    try {
      const env = { DATABASE_URL: `sqlite:${path.join(tmp.dir, 'm.sqlite')}` };
      const first = await cli(['migrate'], env);
      assert.equal(first.code, 0, first.err);
      assert.match(first.out, /applied InitialSchema1732000000000/);
      const second = await cli(['migrate'], env);
      assert.equal(second.code, 0);
      assert.match(second.out, /up to date/);
      const show = await cli(['migrate', '--show'], env);
      assert.match(show.out, /\[x\] InitialSchema1732000000000/);
    } finally {
      tmp.cleanup();
    }
  });

  it('a bad DATABASE_URL exits 1 naming the variable, with the password hidden', async () => {
    const r = await cli(['migrate'], { DATABASE_URL: 'mysql://root:hunter2@db/app' });
    assert.equal(r.code, 1);
    assert.match(r.err, /DATABASE_URL/);
    assert.match(r.err, /ERR_WATCHPOST_UNSUPPORTED_DATABASE/);
    assert.ok(!r.err.includes('hunter2'));
  });

  it('an unknown option exits 2 with the usage', async () => {
    const r = await cli(['migrate', '--frobnicate'], {});
    assert.equal(r.code, 2);
    assert.match(r.err, /Usage: watchpost migrate/);
  });

  const pg = postgresUrl();
  if (pg) {
    it('migrates PostgreSQL into DATABASE_SCHEMA', async () => {
      const db = postgresDatabase(pg);
      try {
        const r = await cli(['migrate', '--schema', db.schema as string], { DATABASE_URL: pg });
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /applied InitialSchema1732000000000/);
        assert.ok(!r.out.includes('password'));
      } finally {
        await db.cleanup();
      }
    });
  }

  it('ormconfig.ts works with the TypeORM CLI (migration:run, then migration:show)', () => {
    const tmp = tempDir();
    try {
      const env = { ...process.env, DATABASE_URL: `sqlite:${path.join(tmp.dir, 'orm.sqlite')}` };
      const cliJs = require.resolve('typeorm/cli.js');
      const run = spawnSync(process.execPath, [cliJs, 'migration:run', '-d', path.join(ROOT, 'dist', 'ormconfig.js')], { env, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr + run.stdout);
      const show = spawnSync(process.execPath, [cliJs, 'migration:show', '-d', path.join(ROOT, 'dist', 'ormconfig.js')], { env, encoding: 'utf8' });
      assert.equal(show.status, 0, show.stderr);
      assert.match(show.stdout, /\[X\].*InitialSchema1732000000000/);
    } finally {
      tmp.cleanup();
    }
  });
});
