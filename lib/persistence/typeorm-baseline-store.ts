/**
 * The assessment BaselineStore in the application's database: shared by every instance
 * (they all read and write the same rows) and kept across restarts. One row per (type,
 * user) holds the user's newest sample; one row per type holds the frozen reference. The
 * analyzer reads a type's samples every few minutes and appends in the background, so the
 * request path never waits on these queries.
 */
import type { DataSource } from 'typeorm';
import { ERR_BASELINE_STORE, type BaselineReference, type BaselineSample, type BaselineStore } from '../core/assessment-baseline-store';
import { StoreError } from '../core/errors';
import { insertChunks } from './insert-chunks';

/** Options of the database baseline store. */
export interface TypeOrmBaselineStoreOptions {
  /** The connected DataSource, or undefined while the database is down. */
  readonly dataSource: () => DataSource | undefined;
  /** Samples kept per type (the oldest go first). Defaults to `20000`. */
  readonly maxSamplesPerType?: number;
  /** Types kept; samples of more types are dropped. Defaults to `1000`. */
  readonly maxTypes?: number;
  /**
   * Appends of a type between two prunes of expired samples. Defaults to `200`. Samples past
   * maxSamplesPerType are dropped after a tenth of the cap's appends (or this many, if more).
   */
  readonly pruneEvery?: number;
  /**
   * Longest wait of a queued sample before its batch is written, in ms. Defaults to `25`. Each
   * write has a fixed cost (about half a millisecond of CPU on SQLite, whatever its size), so a
   * longer wait makes fewer, larger writes: `createWatchpost()`, whose analyzer appends in the
   * background, uses 250. `flush()` writes what is queued at once.
   */
  readonly batchDelayMs?: number;
}

/** Longest wait of a queued sample before its batch is written, in ms (by default). */
const BATCH_DELAY_MS = 25;
/** Queued samples that start a write at once. */
const BATCH_MAX_ROWS = 500;
/** Most rows per INSERT statement (4 parameters each). */
const ROWS_PER_INSERT = 256;

interface QueuedSample {
  readonly type: string;
  readonly sample: BaselineSample;
  /** The sample as stored, serialised when it was appended (it may hold the caller's objects). */
  readonly json: string;
  readonly expireBeforeMs: number;
}

/** The settlement shared by every append of one type in one batch. */
interface TypeBatch {
  readonly done: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

function typeBatch(): TypeBatch {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { done, resolve, reject };
}

/** Database implementation of the baseline store port. */
export class TypeOrmBaselineStore implements BaselineStore {
  readonly kind = 'database' as const;
  readonly localOnly = false;
  readonly maxSamplesPerType: number;
  private readonly maxTypes: number;
  private readonly pruneEvery: number;
  private readonly batchDelayMs: number;
  private knownTypes: Set<string> | undefined;
  private readonly appendsSincePrune = new Map<string, number>();
  /**
   * Appends of a type between two cap checks. The cap's query reads up to maxSamplesPerType
   * index entries, so it runs after a tenth of the cap (or pruneEvery appends, if more);
   * meanwhile a type may hold about that many rows over the cap (per process), and reads still return the newest
   * maxSamplesPerType.
   */
  private readonly capEvery: number;
  private readonly appendsSinceCap = new Map<string, number>();
  private closed = false;
  /** Samples waiting for their batch, by type and user. */
  private readonly queued = new Map<string, QueuedSample>();
  /** The settlement of each type's samples in the batch being gathered. */
  private settlements = new Map<string, TypeBatch>();
  private timer: NodeJS.Timeout | undefined;
  /** The batch being written (batches are written in order). */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly options: TypeOrmBaselineStoreOptions) {
    this.maxSamplesPerType = options.maxSamplesPerType ?? 20_000;
    this.maxTypes = options.maxTypes ?? 1000;
    this.pruneEvery = options.pruneEvery ?? 200;
    this.batchDelayMs = options.batchDelayMs ?? BATCH_DELAY_MS;
    this.capEvery = Math.max(this.pruneEvery, Math.ceil(this.maxSamplesPerType / 10));
  }

  /**
   * Queues the sample; queued samples are written together, one INSERT per batch, within
   * batchDelayMs (at once when BATCH_MAX_ROWS are queued, or on flush()). The promise settles when the
   * sample's batch is written (or failed). A user's later sample in the same batch replaces
   * the earlier one, as the table would.
   */
  append(type: string, sample: BaselineSample, expireBeforeMs: number): Promise<void> {
    // Closed or not connected: run() refuses at once with the store's error.
    if (this.closed || !this.options.dataSource()) return this.run('append', type, async () => undefined);
    // Every append of a type in this batch settles with the batch's write of that type: one
    // promise per type and batch, not one per sample.
    let settlement = this.settlements.get(type);
    if (!settlement) {
      settlement = typeBatch();
      this.settlements.set(type, settlement);
    }
    const key = `${type}\u0000${sample.user}`;
    const earlier = this.queued.get(key);
    if (!earlier || earlier.sample.atMs <= sample.atMs) this.queued.set(key, { type, sample, json: JSON.stringify(sample), expireBeforeMs });
    const done = settlement.done;
    if (this.queued.size >= BATCH_MAX_ROWS) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.batchDelayMs);
      this.timer.unref?.();
    }
    return done;
  }

  /** Writes what is queued now; resolves when it is written (or failed). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.queued.size === 0) return this.writing;
    const batch = [...this.queued.values()];
    const settlements = this.settlements;
    this.queued.clear();
    this.settlements = new Map();
    // Batches are written one after the other, in order.
    this.writing = this.writing.then(() => this.writeBatch(batch, settlements));
    return this.writing;
  }

  private async writeBatch(batch: readonly QueuedSample[], settlements: ReadonlyMap<string, TypeBatch>): Promise<void> {
    const byType = new Map<string, QueuedSample[]>();
    for (const q of batch) {
      const list = byType.get(q.type);
      if (list) list.push(q);
      else byType.set(q.type, [q]);
    }
    for (const [type, items] of byType) {
      try {
        await this.run('append', type, async (ds, sql) => {
          if (!(await this.typeAllowed(ds, sql, type))) return;
          let i = 0;
          for (const size of insertChunks(items.length, ROWS_PER_INSERT, ds.options.type !== 'postgres')) {
            const rows = items.slice(i, (i += size));
            const params: unknown[] = [];
            for (const q of rows) params.push(type, q.sample.user, Math.round(q.sample.atMs), q.json);
            await ds.query(
              sql(`INSERT INTO assessment_baseline_samples (assessment_type, user_key, at_ms, sample) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}
                   ON CONFLICT (assessment_type, user_key) DO UPDATE SET at_ms = excluded.at_ms, sample = excluded.sample
                   WHERE assessment_baseline_samples.at_ms <= excluded.at_ms`),
              params,
            );
          }
          const n = (this.appendsSincePrune.get(type) ?? 0) + items.length;
          this.appendsSincePrune.set(type, n);
          if (n >= this.pruneEvery) {
            this.appendsSincePrune.set(type, 0);
            const sinceCap = (this.appendsSinceCap.get(type) ?? 0) + n;
            const cap = sinceCap >= this.capEvery;
            this.appendsSinceCap.set(type, cap ? 0 : sinceCap);
            await this.prune(ds, sql, type, Math.max(...items.map((q) => q.expireBeforeMs)), cap);
          }
        });
        settlements.get(type)?.resolve();
      } catch (err) {
        settlements.get(type)?.reject(err);
      }
    }
  }

  async samples(type: string, sinceMs: number): Promise<readonly BaselineSample[]> {
    return this.run('samples', type, async (ds, sql) => {
      const rows = (await ds.query(
        sql(`SELECT sample FROM assessment_baseline_samples WHERE assessment_type = ? AND at_ms >= ? ORDER BY at_ms DESC LIMIT ?`),
        [type, Math.floor(sinceMs), this.maxSamplesPerType],
      )) as Array<{ sample: unknown }>;
      return rows.map((r) => parseJson<BaselineSample>(r.sample));
    });
  }

  async getReference(type: string): Promise<BaselineReference | undefined> {
    return this.run('get_reference', type, async (ds, sql) => {
      const rows = (await ds.query(sql(`SELECT reference FROM assessment_baseline_references WHERE assessment_type = ?`), [type])) as Array<{ reference: unknown }>;
      return rows.length === 0 ? undefined : parseJson<BaselineReference>(rows[0].reference);
    });
  }

  async putReference(type: string, next: BaselineReference, expectedFrozenAtMs: number | null): Promise<boolean> {
    return this.run('put_reference', type, async (ds, sql) => {
      const json = JSON.stringify(next);
      if (expectedFrozenAtMs === null) {
        const r = await ds.query(
          sql(`INSERT INTO assessment_baseline_references (assessment_type, frozen_at_ms, reference) VALUES (?, ?, ?) ON CONFLICT (assessment_type) DO NOTHING RETURNING assessment_type`),
          [type, Math.round(next.frozenAtMs), json],
        );
        return affected(r) === 1;
      }
      const r = await ds.query(
        sql(`UPDATE assessment_baseline_references SET frozen_at_ms = ?, reference = ? WHERE assessment_type = ? AND frozen_at_ms = ? RETURNING assessment_type`),
        [Math.round(next.frozenAtMs), json, type, Math.round(expectedFrozenAtMs)],
      );
      return affected(r) === 1;
    });
  }

  async deleteReference(type: string): Promise<void> {
    await this.run('delete_reference', type, async (ds, sql) => {
      await ds.query(sql(`DELETE FROM assessment_baseline_references WHERE assessment_type = ?`), [type]);
    });
  }

  /** Writes the queued samples, then refuses further work. */
  async shutdown(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** New types are refused past `maxTypes`, so made-up type names cannot grow the tables. */
  private async typeAllowed(ds: DataSource, sql: (s: string) => string, type: string): Promise<boolean> {
    if (!this.knownTypes) {
      const rows = (await ds.query(sql(`SELECT DISTINCT assessment_type AS t FROM assessment_baseline_samples LIMIT ?`), [this.maxTypes + 1])) as Array<{ t: string }>;
      this.knownTypes = new Set(rows.map((r) => r.t));
    }
    if (this.knownTypes.has(type)) return true;
    if (this.knownTypes.size >= this.maxTypes) return false;
    this.knownTypes.add(type);
    return true;
  }

  /** Drops expired samples (an index seek) and, when `cap`, those past the cap (the oldest go first). */
  private async prune(ds: DataSource, sql: (s: string) => string, type: string, expireBeforeMs: number, cap: boolean): Promise<void> {
    await ds.query(sql(`DELETE FROM assessment_baseline_samples WHERE assessment_type = ? AND at_ms < ?`), [type, Math.floor(expireBeforeMs)]);
    if (!cap) return;
    await ds.query(
      sql(`DELETE FROM assessment_baseline_samples WHERE assessment_type = ? AND at_ms < (
             SELECT at_ms FROM assessment_baseline_samples WHERE assessment_type = ? ORDER BY at_ms DESC LIMIT 1 OFFSET ?)`),
      [type, type, this.maxSamplesPerType - 1],
    );
  }

  private async run<T>(op: string, type: string, fn: (ds: DataSource, sql: (s: string) => string) => Promise<T>): Promise<T> {
    const ds = this.closed ? undefined : this.options.dataSource();
    if (!ds) throw new StoreError(ERR_BASELINE_STORE, `assessment baseline store: ${op} for ${JSON.stringify(type)}: the database is not connected`);
    const postgres = ds.options.type === 'postgres';
    const sql = (s: string) => {
      if (!postgres) return s;
      let i = 0;
      return s.replace(/\?/g, () => `$${(i += 1)}`);
    };
    try {
      return await fn(ds, sql);
    } catch (err) {
      throw new StoreError(ERR_BASELINE_STORE, `assessment baseline store: ${op} for ${JSON.stringify(type)} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}

function parseJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

/** Rows a write returned (its RETURNING rows), the same on both drivers. */
function affected(result: unknown): number {
  if (!Array.isArray(result)) return 0;
  // TypeORM's postgres driver answers an UPDATE with [rows, rowCount].
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0].length;
  return result.length;
}
