/**
 * Builds the TypeORM DataSource for a DATABASE_URL: PostgreSQL through `pg` (bounded
 * connect, statement and query timeouts: node-postgres waits forever by default), SQLite
 * through better-sqlite3 (WAL, busy timeout). Migrations only, never `synchronize`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { InitialSchema1732000000000 } from './migrations/1732000000000-initial-schema';
import { AssessmentBaselines1732000000001 } from './migrations/1732000000001-assessment-baselines';

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1732000000000, AssessmentBaselines1732000000001];

/** What the DataSource needs to know about the database. */
export interface DatabaseSettings {
  readonly kind: 'sqlite' | 'postgres';
  /** SQLite file path (or `:memory:`). */
  readonly path?: string;
  /** PostgreSQL URL. */
  readonly url: string;
  /** PostgreSQL schema (created when missing). */
  readonly schema?: string;
  /** Bound on one connection attempt, in ms. */
  readonly connectTimeoutMs?: number;
  /** Bound on one statement, in ms (PostgreSQL). Defaults to `30000`. */
  readonly statementTimeoutMs?: number;
}

/** TypeORM options for these settings. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'watchpost_migrations',
    synchronize: false,
    logging: false,
  } as const;
  if (settings.kind === 'postgres') {
    const connectTimeoutMs = settings.connectTimeoutMs ?? 5000;
    const statementTimeoutMs = settings.statementTimeoutMs ?? 30_000;
    return {
      ...common,
      type: 'postgres',
      url: settings.url,
      schema: settings.schema,
      connectTimeoutMS: connectTimeoutMs,
      extra: {
        max: 4,
        connectionTimeoutMillis: connectTimeoutMs,
        idleTimeoutMillis: 30_000,
        statement_timeout: statementTimeoutMs,
        query_timeout: statementTimeoutMs + 5000,
        // Raw SQL (views, maintenance) follows the configured schema too.
        ...(settings.schema ? { options: `-c search_path=${settings.schema}` } : {}),
      },
      // An idle client that dies while the database restarts must not crash the app.
      poolErrorHandler: () => undefined,
    };
  }
  const file = settings.path ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: file,
    enableWAL: file !== ':memory:',
    timeout: 5000,
    prepareDatabase: (db: { pragma: (s: string) => unknown }) => {
      db.pragma('synchronous = NORMAL');
    },
  };
}

/** A new, not yet initialised DataSource. */
export function createDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}

/**
 * Runs pending migrations. On PostgreSQL the schema is created first and an advisory lock
 * keeps two instances starting together from migrating at once. Returns the names run.
 */
export async function runMigrations(ds: DataSource, schema?: string): Promise<string[]> {
  if (ds.options.type !== 'postgres') {
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    if (schema) await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await runner.query('SELECT pg_advisory_lock(7324001)');
    try {
      return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(7324001)');
    }
  } finally {
    await runner.release();
  }
}
