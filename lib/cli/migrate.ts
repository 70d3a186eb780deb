/**
 * `watchpost migrate`: runs pending migrations against DATABASE_URL (or --database-url),
 * `--revert` undoes the last one, `--show` lists them. Prints what it did.
 */
import 'reflect-metadata';
import { resolveConfig } from '../config/settings';
import { SecError } from '../core/errors';
import { createDataSource, runMigrations } from '../persistence/data-source';
import { redactUrl } from '../config/parsers';
import type { CliCommand } from './io';

const HELP = `Usage: watchpost migrate [--database-url URL] [--schema NAME] [--show | --revert]

Runs the pending migrations against DATABASE_URL (postgres://… or sqlite:PATH).
  --database-url URL   database to migrate (default: DATABASE_URL, else sqlite:./data/watchpost.sqlite)
  --schema NAME        PostgreSQL schema (default: DATABASE_SCHEMA, else public)
  --show               list migrations and whether each has run
  --revert             undo the last migration
`;

export const run: CliCommand = async (args, io) => {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      io.stdout.write(HELP);
      return 0;
    }
    if (a === '--show' || a === '--revert') flags.set(a, true);
    else if (a === '--database-url' || a === '--schema') {
      const v = args[i + 1];
      if (v === undefined) {
        io.stderr.write(`watchpost migrate: ${a} needs a value.\n`);
        return 2;
      }
      flags.set(a, v);
      i += 1;
    } else {
      io.stderr.write(`watchpost migrate: unknown option ${JSON.stringify(a)}.\n\n${HELP}`);
      return 2;
    }
  }
  let ds;
  try {
    const config = resolveConfig({
      env: io.env,
      databaseUrl: flags.get('--database-url') as string | undefined,
      databaseSchema: flags.get('--schema') as string | undefined,
    });
    const db = config.database;
    ds = createDataSource({ kind: db.kind, path: db.kind === 'sqlite' ? db.path : undefined, url: db.url, schema: db.schema, connectTimeoutMs: db.connectTimeoutMs });
    const target = db.kind === 'sqlite' ? `sqlite:${db.path}` : redactUrl(db.url);
    await ds.initialize();
    if (flags.has('--show')) {
      if (db.kind === 'postgres' && db.schema) await ds.query(`CREATE SCHEMA IF NOT EXISTS "${db.schema}"`);
      const pending = await ds.showMigrations();
      const executed = new Set<string>();
      const table = 'watchpost_migrations';
      const hasTable = await ds.createQueryRunner().hasTable(table);
      if (hasTable) for (const r of (await ds.query(`SELECT name FROM ${table}`)) as Array<{ name: string }>) executed.add(r.name);
      for (const m of ds.migrations) io.stdout.write(`${executed.has(m.name ?? '') ? '[x]' : '[ ]'} ${m.name}\n`);
      io.stdout.write(pending ? 'pending migrations exist\n' : 'database is up to date\n');
      return 0;
    }
    if (flags.has('--revert')) {
      await ds.undoLastMigration({ transaction: 'each' });
      io.stdout.write(`reverted the last migration on ${target}\n`);
      return 0;
    }
    const ran = await runMigrations(ds, db.schema);
    io.stdout.write(ran.length === 0 ? `${target}: up to date\n` : ran.map((n) => `${target}: applied ${n}\n`).join(''));
    return 0;
  } catch (err) {
    const message = err instanceof SecError ? err.message : `could not migrate: ${err instanceof Error ? err.message : String(err)}`;
    io.stderr.write(`watchpost migrate: ${message}\n`);
    return 1;
  } finally {
    if (ds?.isInitialized) await ds.destroy();
  }
};
