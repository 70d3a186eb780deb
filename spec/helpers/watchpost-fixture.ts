/**
 * Builds watchpost instances for specs on a real database, with the log in a temp file,
 * and reads the tables back through a second connection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../lib/config/parsers';
import type { WatchpostOptions } from '../../lib/config/options';
import { dataSourceOptions } from '../../lib/persistence/data-source';
import { TypeOrmEventSink } from '../../lib/persistence/typeorm-event-sink';
import { createWatchpost, type Watchpost } from '../../lib/watchpost';
import type { TestDatabase } from './databases';

/** A temp directory removed by `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchpost-fixture-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The event sink on `db`, connected (migrations run); undefined when it did not come up in 10 s. */
export async function openEventSink(db: TestDatabase): Promise<TypeOrmEventSink | undefined> {
  const p = parseDatabaseUrl('DATABASE_URL', db.url);
  const sink = new TypeOrmEventSink({ kind: p.kind, path: p.kind === 'sqlite' ? p.path : undefined, url: p.url, schema: db.schema });
  sink.start();
  if (await sink.whenUp(10_000)) return sink;
  await sink.close();
  return undefined;
}

/**
 * A fresh database and its connected event sink for each test of the calling `describe`
 * (mocha hooks): read them through the returned object inside the tests.
 */
export function eventSinkPerTest(make: () => TestDatabase): { readonly db: TestDatabase; readonly sink: TypeOrmEventSink } {
  let db: TestDatabase | undefined;
  let sink: TypeOrmEventSink | undefined;
  beforeEach(async () => {
    db = make();
    sink = await openEventSink(db);
    if (!sink) throw new Error(`the test database ${db.url} did not come up in 10 s`);
  });
  afterEach(async () => {
    await sink?.close();
    await db?.cleanup();
    sink = undefined;
    db = undefined;
  });
  return {
    get db() {
      if (!db) throw new Error('eventSinkPerTest: used outside a test');
      return db;
    },
    get sink() {
      if (!sink) throw new Error('eventSinkPerTest: used outside a test');
      return sink;
    },
  };
}

/** A watchpost on `db`, logging to `logPath`, flushing fast. */
export async function makeWatchpost(db: TestDatabase, logPath: string, extra: WatchpostOptions = {}): Promise<Watchpost> {
  return createWatchpost({
    env: {},
    databaseUrl: db.url,
    databaseSchema: db.schema,
    securityLogPath: logPath,
    securityLogLevel: 'DEBUG',
    ...extra,
    events: { flushIntervalMs: 20, ...extra.events },
  });
}

/** A plain connection to the same database for reading rows. */
export async function openReader(db: TestDatabase): Promise<DataSource> {
  const parsed = parseDatabaseUrl('DATABASE_URL', db.url);
  const ds = new DataSource(
    dataSourceOptions({ kind: parsed.kind, path: parsed.kind === 'sqlite' ? parsed.path : undefined, url: parsed.url, schema: db.schema }),
  );
  await ds.initialize();
  return ds;
}

/** Rows of a table (all columns), optionally filtered by a SQL condition with `?` as `$1`. */
export async function rows(ds: DataSource, table: string, where = '1 = 1', params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  let sql = `SELECT * FROM ${table} WHERE ${where}`;
  if (ds.options.type === 'postgres') {
    let i = 0;
    sql = sql.replace(/\?/g, () => `$${(i += 1)}`);
  }
  return ds.query(sql, params);
}

/** Parsed JSON lines of a log file. */
export function logLines(file: string): Array<Record<string, unknown>> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Parses a JSON column that SQLite returns as text and PostgreSQL as an object. */
export function json(value: unknown): Record<string, unknown> {
  return typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : (value as Record<string, unknown>);
}
