/**
 * The port behind which assessment baselines are kept: a memory implementation for one
 * process (lib/stores/memory-baseline-store.ts, used by the CLI and tests) and a persistent one
 * shared by every instance of the app (Redis or the database) for the middleware.
 *
 * A store keeps raw material only: per assessment type, at most one {@link BaselineSample} per
 * user (the newest) and one frozen {@link BaselineReference}. All policy (which submissions are
 * recorded, the window, the figures, drift, when the reference changes) lives in
 * lib/detection/assessment-baseline.ts and lib/core/assessment-analyzer.ts, so stores differ
 * only in storage primitives. The reusable contract suite is spec/stores/baseline-store-contract.ts
 * (`runBaselineStoreContract(label, makeStore)`); every implementation's spec runs it.
 *
 * ## Cost on the request path
 * The analyzer never reads the store per submission. It keeps a cached snapshot per type and
 * calls {@link BaselineStore.samples} and {@link BaselineStore.getReference} to refresh it every
 * few minutes or after a few dozen local appends (see `AssessmentAnalyzerOptions`), and calls
 * {@link BaselineStore.append} once per recordable submission (past `maxSamplesPerType`, for
 * a share of them), without awaiting it on the
 * request path in the middleware. So:
 * - `append` must be one round trip (Redis: one Lua script doing HSET user -> JSON, ZADD
 *   user by time, ZREMRANGEBYSCORE of expired users with their HDELs, and the per-type cap;
 *   SQL: one UPSERT on (type, user) plus an occasional DELETE of expired rows);
 * - `samples` may be a bulk read (Redis: HVALS or ZRANGEBYSCORE + HMGET; SQL: one SELECT on an
 *   index over (type, at)), called at most every few minutes per type per instance. At the
 *   default caps it returns at most `maxSamplesPerType` small JSON objects (about 100 bytes, plus
 *   about 12 bytes per item time when item times are given; only the 500 newest samples' item
 *   times are read, so a store may drop `itemSec` (or `itemLnTimes`) from older ones);
 * - the reference is one small JSON value per type (a few KB at most).
 *
 * ## Errors
 * A failing store rejects with `StoreError` (code `ERR_WATCHPOST_BASELINE_STORE`, with `cause`).
 * The analyzer catches it: detection carries on with the last snapshot it has (or cold-start
 * rules) and the error is reported through its `onError` hook; a request never fails because
 * the baseline store is down.
 */
import type { BaselineReference, BaselineSample } from '../detection/assessment-baseline';

export type {
  BaselineReference,
  BaselineSample,
  BaselineSnapshot,
  BaselineStats,
  DriftReport,
} from '../detection/assessment-baseline';

/** Error code of a failing baseline store. */
export const ERR_BASELINE_STORE = 'ERR_WATCHPOST_BASELINE_STORE';

/** Storage primitives for assessment baselines. Every method returns a Promise. */
export interface BaselineStore {
  /** Used as a log field and metric label. */
  readonly kind: 'memory' | 'redis' | 'database';
  /**
   * True when the store is private to this process (memory). With several app instances each
   * then learns its own baseline; the composition root should warn about it once.
   */
  readonly localOnly: boolean;
  /**
   * Samples kept per type when the store caps them (the oldest dropped first). The analyzer
   * thins the recording of a type whose baseline is full (`AssessmentAnalyzerOptions.fullRecordShare`).
   */
  readonly maxSamplesPerType?: number;

  /** Connect, create tables or load scripts. Optional; errors are caught and logged by the caller. */
  init?(): Promise<void>;

  /**
   * Records one sample for `type`. Semantics, all required:
   * - one sample per (type, sample.user): a new one REPLACES the user's previous one, whatever
   *   their times (the newest submission wins; a store may compare `atMs` and keep the later);
   * - samples with `atMs < expireBeforeMs` (of this type) may be deleted now, and must never be
   *   returned by {@link samples} for a `sinceMs` above their time anyway;
   * - a store may cap the number of samples per type; when the cap is reached it drops the
   *   OLDEST samples (by `atMs`) first, never the new one;
   * - a store may cap the number of types; a sample of a new type past that cap is dropped
   *   (existing baselines are never evicted to make room, so made-up type names cannot wipe
   *   real ones);
   * - the sample must round-trip as JSON: `samples` returns equal plain data.
   */
  append(type: string, sample: BaselineSample, expireBeforeMs: number): Promise<void>;

  /**
   * The samples of `type` with `atMs >= sinceMs`, in any order, at most one per user. An
   * unknown type yields an empty array.
   */
  samples(type: string, sinceMs: number): Promise<readonly BaselineSample[]>;

  /** The frozen reference of `type`, or undefined when none was frozen (or it was reset). */
  getReference(type: string): Promise<BaselineReference | undefined>;

  /**
   * Compare-and-set: stores `next` as the reference of `type` only when the current reference's
   * `frozenAtMs` equals `expectedFrozenAtMs` (`null`: only when there is none). Resolves true
   * when stored, false when another instance got there first. Redis: WATCH/MULTI or a Lua
   * script; SQL: an UPDATE ... WHERE frozen_at = ? (or INSERT ... ON CONFLICT DO NOTHING).
   */
  putReference(type: string, next: BaselineReference, expectedFrozenAtMs: number | null): Promise<boolean>;

  /** Deletes the reference of `type` (an operator re-baselines after a real change). */
  deleteReference(type: string): Promise<void>;

  /**
   * Writes the appends it holds back (a store that gathers them into batches) without waiting
   * for its timer; resolves when they are written or failed. Optional.
   */
  flush?(): Promise<void>;

  /** Releases connections and timers. Idempotent. */
  shutdown(): Promise<void>;
}
