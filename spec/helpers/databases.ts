/**
 * The databases persistence specs run on: SQLite always (a temp file), PostgreSQL when
 * DATABASE_URL points at one (each run in its own schema, dropped afterwards).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { uniqueName } from './wait';

/** One database target for a spec. */
export interface TestDatabase {
  readonly label: 'sqlite' | 'postgres';
  /** A DATABASE_URL for it. */
  readonly url: string;
  /** PostgreSQL schema (undefined for SQLite). */
  readonly schema?: string;
  /** Removes what the spec created. */
  cleanup(): Promise<void>;
}

/** True when DATABASE_URL points at PostgreSQL. */
export function postgresUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  return url && /^postgres(ql)?:/.test(url) ? url : undefined;
}

/** A fresh SQLite file. */
export function sqliteDatabase(): TestDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchpost-spec-'));
  const file = path.join(dir, 'db.sqlite');
  return {
    label: 'sqlite',
    url: `sqlite:${file}`,
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh PostgreSQL schema (the caller's migrations create it). */
export function postgresDatabase(url: string): TestDatabase {
  const schema = uniqueName('wp').toLowerCase();
  return {
    label: 'postgres',
    url,
    schema,
    cleanup: async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Factories for every database this run can reach: SQLite always, PostgreSQL when configured. */
export function testDatabases(): Array<{ label: 'sqlite' | 'postgres'; make: () => TestDatabase }> {
  const out: Array<{ label: 'sqlite' | 'postgres'; make: () => TestDatabase }> = [{ label: 'sqlite', make: sqliteDatabase }];
  const pg = postgresUrl();
  if (pg) out.push({ label: 'postgres', make: () => postgresDatabase(pg) });
  return out;
}
