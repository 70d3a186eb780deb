/**
 * Orchestration shared by the `@SecureAssessment` middleware and `watchpost assess`: take a
 * submission, get the type's baseline snapshot (cached, refreshed from the store now and then),
 * run the pure detector, and record the submission in the baseline when it may be recorded (a
 * share of them once the type's baseline is full). The CLI and the middleware use this one
 * class, so the CLI behaves as the middleware does (save which submissions a full baseline
 * records: the CLI's picks use a fixed seed, so that a run is repeatable).
 *
 * Time is the submission's `submittedAt`: the middleware sets it from the server clock, the CLI
 * takes it from the stream. Windows, refreshes and reference ages all run on that time.
 */
import type { AssessmentAnomaly, AssessmentSubmission, AssessmentVerdict } from './types';
import type { BaselineStore } from './assessment-baseline-store';
import { ERR_BASELINE_STORE } from './assessment-baseline-store';
import { randomInt } from 'node:crypto';
import { ConfigError, StoreError } from './errors';
import { seeded } from './seeded-random';
import type { AssessmentAnomalyConfig } from '../detection/assessment-config';
import {
  type BaselineReference,
  type BaselineSnapshot,
  type DriftReport,
  DAY_MS,
  computeDrift,
  computeStats,
  emptyStats,
  planReference,
} from '../detection/assessment-baseline';
import { evaluateAssessment, toBaselineSample } from '../detection/assessment-anomaly';
import { type TextScanner, engineTextScanner, safeTextScanner } from '../detection/assessment-text-scanner';

/** Shortest time between two reloads of one type in background mode, in ms (cold start). */
const MIN_BACKGROUND_RELOAD_MS = 1000;
/** The same once the type has left cold start, in ms. */
const WARM_BACKGROUND_RELOAD_MS = 30_000;

/** The fixed thinning seed of repeatable runs (`watchpost assess`, the assessment benchmarks). */
export const REPEATABLE_THINNING_SEED = 0x5eed;

/** Default share of recordable submissions recorded once a type's baseline is full. */
const FULL_RECORD_SHARE = 0.125;

/** Options of {@link AssessmentAnalyzer}. */
export interface AssessmentAnalyzerOptions {
  readonly store: BaselineStore;
  /** Resolved settings (`parseAssessmentAnomalyOptions` / `resolveAssessmentConfigFromEnv`). */
  readonly config: AssessmentAnomalyConfig;
  /**
   * Free-text injection scanner. Defaults to the project's injection engine at its default
   * paranoia level (`engineTextScanner()`). Wrapped so that a throwing scanner never breaks
   * detection.
   */
  readonly scanText?: TextScanner;
  /**
   * Reload a type's baseline from the store when the cached one is this old (ms of submission
   * time), to see other instances' appends and expire old samples. Defaults to `300000` (5 min)
   * for a shared store, `3600000` (1 h) for a store private to this process, which sees every
   * append locally anyway.
   */
  readonly refreshAfterMs?: number;
  /**
   * Reload after this many local appends, or 2% of the baseline size if larger. Defaults to
   * `10`. During cold start (fewer than `minBaselineSamples`) every append triggers a reload.
   * With `loadMode: 'background'` a type reloads at most once a second during cold start and
   * at most every 30 s after it, whatever these settings say.
   */
  readonly refreshAfterAppends?: number;
  /**
   * `await`: `analyze` resolves after the sample is appended (CLI, tests, benchmark).
   * `background`: the append runs after `analyze` resolves (middleware: never on the request
   * path); pending appends are awaited by `flush()`. Defaults to `await`.
   */
  readonly appendMode?: 'await' | 'background';
  /**
   * `await`: a submission whose type's snapshot is due for a reload waits for it (CLI, tests,
   * benchmark: a memory store answers at once). `background`: it is judged against the
   * snapshot in hand while the reload runs, so a request never waits on the store (middleware
   * over the database). A type seen for the first time then starts from the cold-start rules
   * until its first load completes, a few milliseconds later. Defaults to `await`.
   */
  readonly loadMode?: 'await' | 'background';
  /** Types whose snapshots are cached at once (least recently used dropped). Defaults to `1000`. */
  readonly maxCachedTypes?: number;
  /**
   * Background appends allowed in flight at once; past it new samples are dropped (and
   * reported through `onError`) so a hung store cannot grow the heap. Defaults to `1000`.
   */
  readonly maxPendingAppends?: number;
  /**
   * Share of recordable submissions that are recorded once a type's baseline is full: the
   * store's `maxSamplesPerType` samples as of the last load, plus this instance's appends
   * since. Each is picked at random (with a fixed `thinningSeed` the same stream makes the same picks), so the
   * full baseline stays a fair sample of its users while each new sample costs a write and the
   * displacement of an old one only one time in 1/share. A full baseline then turns over that
   * many times more slowly (its window still bounds it). A number in (0, 1]; `1` records
   * every one. Defaults to `0.125`. Fullness is an estimate: appends of users already in the
   * baseline (which replace their row) count as new ones and other instances' appends are not
   * counted, until the next load sets the count right, so a type just under its cap may be
   * thinned, or a full one not yet, for up to one reload interval.
   */
  readonly fullRecordShare?: number;
  /**
   * Seed of the thinning picks. Defaults to a random one, so that no client can tell which
   * submissions are recorded; `watchpost assess` (and the assessment benchmarks) pass
   * {@link REPEATABLE_THINNING_SEED}, so that a run over the same stream makes the same picks.
   */
  readonly thinningSeed?: number;
  /** Store and scanner failures. Defaults to ignoring them (detection carries on). */
  readonly onError?: (err: unknown, context: { readonly op: string; readonly type?: string }) => void;
  /** Called when a type's live baseline starts (or stops) drifting from its reference. */
  readonly onDrift?: (type: string, drift: DriftReport) => void;
  /** Called when a reference is frozen, promoted or replaced after max age. */
  readonly onReference?: (type: string, action: 'freeze' | 'promote' | 'expire', reference: BaselineReference) => void;
}

/** Baseline facts attached to each verdict. */
export interface AssessmentBaselineInfo {
  /** Accepted samples in the live baseline of the type. */
  readonly n: number;
  /** True while the live baseline has fewer than `minBaselineSamples`. */
  readonly coldStart: boolean;
  /** True when a frozen reference is in use. */
  readonly reference: boolean;
  /** True when the live baseline has drifted from the reference toward an attacker's side. */
  readonly drift: boolean;
  readonly driftReasons?: readonly string[];
  /** True when the snapshot could not be refreshed (store error) and an older one was used. */
  readonly stale?: boolean;
}

/** A verdict with the baseline facts behind it. */
export interface AssessmentAnalysis extends AssessmentVerdict {
  readonly anomalies: readonly AssessmentAnomaly[];
  readonly baseline: AssessmentBaselineInfo;
}

interface CacheEntry {
  snapshot: BaselineSnapshot;
  loadedAtMs: number;
  /** Samples (of every kind) the last load read. */
  loadedSamples: number;
  appendsSinceLoad: number;
  stale: boolean;
  drifting: boolean;
  loading?: Promise<void>;
}

/** Analyzes submissions against per-type baselines kept in a {@link BaselineStore}. */
export class AssessmentAnalyzer {
  private readonly store: BaselineStore;
  private readonly config: AssessmentAnomalyConfig;
  private readonly scan: TextScanner;
  private readonly refreshAfterMs: number;
  private readonly refreshAfterAppends: number;
  private readonly appendMode: 'await' | 'background';
  private readonly loadMode: 'await' | 'background';
  private readonly maxCachedTypes: number;
  private readonly maxPendingAppends: number;
  private readonly fullRecordShare: number;
  private readonly pick: () => number;
  private readonly onError: NonNullable<AssessmentAnalyzerOptions['onError']>;
  private readonly cache = new Map<string, CacheEntry>();
  /** Background appends in flight, and who waits for them all to settle (flush). */
  private pendingAppends = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(options: AssessmentAnalyzerOptions) {
    this.store = options.store;
    this.config = options.config;
    this.onError = options.onError ?? (() => undefined);
    const scanner = options.scanText ?? engineTextScanner();
    this.scan = safeTextScanner(scanner, (err) => this.onError(err, { op: 'scan' }));
    this.refreshAfterMs = options.refreshAfterMs ?? (options.store.localOnly ? 3_600_000 : 300_000);
    this.refreshAfterAppends = options.refreshAfterAppends ?? 10;
    this.appendMode = options.appendMode ?? 'await';
    this.loadMode = options.loadMode ?? 'await';
    this.maxCachedTypes = options.maxCachedTypes ?? 1000;
    this.maxPendingAppends = options.maxPendingAppends ?? 1000;
    const share = options.fullRecordShare ?? FULL_RECORD_SHARE;
    if (typeof share !== 'number' || !(share > 0 && share <= 1)) {
      throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `AssessmentAnalyzer: fullRecordShare ${JSON.stringify(share)} is not valid. Expected a number above 0 and at most 1.`);
    }
    this.fullRecordShare = share;
    this.pick = seeded(options.thinningSeed ?? randomInt(0, 2 ** 32));
    this.onDrift = options.onDrift;
    this.onReference = options.onReference;
  }

  private readonly onDrift?: AssessmentAnalyzerOptions['onDrift'];
  private readonly onReference?: AssessmentAnalyzerOptions['onReference'];

  /**
   * Analyzes one submission: detect against the type's cached baseline, then (when it may be
   * recorded, and past the cap only for the share `fullRecordShare`) append it to the baseline.
   * Never rejects because of the store or the scanner.
   */
  async analyze(sub: AssessmentSubmission): Promise<AssessmentAnalysis> {
    const at = sub.submittedAt instanceof Date ? sub.submittedAt.getTime() : Number.NaN;
    const type = typeof sub.type === 'string' ? sub.type : String(sub.type);
    const entry = Number.isFinite(at) ? await this.entryFor(type, at) : this.cache.get(type);
    const snapshot = entry?.snapshot;
    const evaluation = evaluateAssessment(sub, snapshot, this.config, this.scan);
    const sample = this.thinned(entry) ? undefined : toBaselineSample(sub, evaluation, this.config);
    if (sample && Number.isFinite(at) && this.appendMode === 'background' && this.pendingAppends >= this.maxPendingAppends) {
      this.onError(new StoreError(ERR_BASELINE_STORE, `assessment baseline store: ${this.pendingAppends} appends pending; sample for type ${JSON.stringify(type)} dropped`), {
        op: 'append',
        type,
      });
    } else if (sample && Number.isFinite(at)) {
      const expireBefore = at - this.config.baselineWindowDays * DAY_MS;
      const background = this.appendMode === 'background';
      if (background) this.pendingAppends += 1;
      const write = this.store.append(type, sample, expireBefore).then(
        () => {
          if (entry) entry.appendsSinceLoad += 1;
          if (background) this.appendSettled();
        },
        (err: unknown) => {
          try {
            this.onError(wrapStoreError(err, 'append', type), { op: 'append', type });
          } finally {
            if (background) this.appendSettled();
          }
        },
      );
      if (!background) await write;
    }
    const live = snapshot?.live;
    const drift = snapshot?.drift;
    const n = live?.n ?? 0;
    const baseline: { -readonly [K in keyof AssessmentBaselineInfo]: AssessmentBaselineInfo[K] } = {
      n,
      coldStart: n < this.config.minBaselineSamples,
      reference: Boolean(this.config.poisoningGuard && snapshot?.reference),
      drift: Boolean(drift?.drifting),
    };
    // (Set only when they apply, rather than spreading an empty object in every verdict.)
    if (drift?.drifting) baseline.driftReasons = drift.reasons;
    if (entry?.stale) baseline.stale = true;
    return { anomalous: evaluation.verdict.anomalous, anomalies: evaluation.verdict.anomalies, baseline };
  }

  /** The current snapshot of a type as of `nowMs` (refreshed if due). */
  async snapshot(type: string, nowMs: number): Promise<BaselineSnapshot> {
    const entry = await this.entryFor(type, nowMs);
    return entry.snapshot;
  }

  /** Forgets the frozen reference of a type (an operator re-baselines after a real change). */
  async resetReference(type: string): Promise<void> {
    await this.store.deleteReference(type);
    this.cache.delete(type);
  }

  /** Waits for background loads and appends, asking a batching store to write at once. */
  async flush(): Promise<void> {
    for (;;) {
      const loads = [...this.cache.values()].map((e) => e.loading).filter((l): l is Promise<void> => l !== undefined);
      if (this.pendingAppends === 0 && loads.length === 0) return;
      if (this.pendingAppends > 0) {
        // A store that gathers appends into batches writes them now, not when its timer fires
        // (its failures reach the appends' own promises; a throwing flush changes nothing here).
        try {
          void Promise.resolve(this.store.flush?.()).catch(() => undefined);
        } catch {
          // the appends settle on the store's own schedule
        }
        loads.push(new Promise<void>((resolve) => this.idleWaiters.push(resolve)));
      }
      await Promise.all(loads);
    }
  }

  /** Flushes pending appends and drops the cache. Does not shut the store down (its owner does). */
  async close(): Promise<void> {
    await this.flush();
    this.cache.clear();
  }

  /** True when this submission is left out of a full baseline (see `fullRecordShare`). */
  private thinned(entry: CacheEntry | undefined): boolean {
    const cap = this.store.maxSamplesPerType;
    if (!entry || cap === undefined || this.fullRecordShare >= 1) return false;
    return entry.loadedSamples + entry.appendsSinceLoad >= cap && this.pick() >= this.fullRecordShare;
  }

  /** One background append settled; wakes flush() when none is left. */
  private appendSettled(): void {
    this.pendingAppends -= 1;
    if (this.pendingAppends > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private due(entry: CacheEntry, nowMs: number): boolean {
    const n = entry.snapshot.live.n;
    // In background mode (a shared database store) a type reloads at most once a second during
    // cold start, and at most every 30 s after it (a week-long baseline changes slowly, and a
    // reload reads every sample of the type), so a burst of submissions never becomes one
    // read per submission.
    if (this.loadMode === 'background' && nowMs >= entry.loadedAtMs) {
      const minGap = n < this.config.minBaselineSamples ? MIN_BACKGROUND_RELOAD_MS : WARM_BACKGROUND_RELOAD_MS;
      if (nowMs - entry.loadedAtMs < minGap) return false;
    }
    if (nowMs - entry.loadedAtMs >= this.refreshAfterMs) return true;
    if (n < this.config.minBaselineSamples || n < this.config.referenceMinSamples) return entry.appendsSinceLoad >= 1 || nowMs < entry.loadedAtMs;
    return entry.appendsSinceLoad >= Math.max(this.refreshAfterAppends, Math.ceil(0.02 * n));
  }

  private async entryFor(type: string, nowMs: number): Promise<CacheEntry> {
    let entry = this.cache.get(type);
    if (entry) {
      // Keep recently used types at the end (least recently used first).
      this.cache.delete(type);
      this.cache.set(type, entry);
      const background = this.loadMode === 'background';
      if (entry.loading) {
        if (background) return entry;
        await entry.loading;
      }
      if (!this.due(entry, nowMs)) return entry;
      if (!entry.loading) {
        const current = entry;
        current.loading = this.reload(type, nowMs, current).finally(() => {
          current.loading = undefined;
        });
      }
      if (background) return entry;
      await entry.loading;
      return entry;
    }
    entry = {
      snapshot: { type, live: emptyStats(nowMs, nowMs - this.config.baselineWindowDays * DAY_MS) },
      loadedAtMs: -Infinity,
      loadedSamples: 0,
      appendsSinceLoad: 0,
      stale: false,
      drifting: false,
    };
    this.cache.set(type, entry);
    while (this.cache.size > this.maxCachedTypes) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
    const created = entry;
    created.loading = this.reload(type, nowMs, created).finally(() => {
      created.loading = undefined;
    });
    if (this.loadMode === 'background') return created;
    await created.loading;
    return created;
  }

  private async reload(type: string, nowMs: number, entry: CacheEntry): Promise<void> {
    const sinceMs = nowMs - this.config.baselineWindowDays * DAY_MS;
    try {
      const [samples, stored] = await Promise.all([
        this.store.samples(type, sinceMs),
        this.config.poisoningGuard ? this.store.getReference(type) : Promise.resolve(undefined),
      ]);
      const live = computeStats(samples, nowMs, this.config);
      let reference = stored;
      let drift = reference ? computeDrift(samples, live, reference, nowMs, this.config) : undefined;
      const plan = planReference(live, reference, drift, nowMs, this.config);
      if (plan.action === 'freeze' || plan.action === 'promote' || plan.action === 'expire') {
        const stored2 = await this.store.putReference(type, plan.next, reference ? reference.frozenAtMs : null);
        if (stored2) {
          reference = plan.next;
          this.onReference?.(type, plan.action, plan.next);
        } else {
          reference = await this.store.getReference(type);
        }
        drift = reference ? computeDrift(samples, live, reference, nowMs, this.config) : undefined;
      }
      entry.snapshot = { type, live, ...(reference ? { reference } : {}), ...(drift ? { drift } : {}) };
      entry.loadedAtMs = nowMs;
      entry.loadedSamples = samples.length;
      entry.appendsSinceLoad = 0;
      entry.stale = false;
      const drifting = Boolean(drift?.drifting);
      if (drifting !== entry.drifting && drift) this.onDrift?.(type, drift);
      entry.drifting = drifting;
    } catch (err) {
      // Keep the last snapshot; try again after the refresh interval, not on every submission.
      entry.loadedAtMs = nowMs;
      entry.appendsSinceLoad = 0;
      entry.stale = true;
      this.onError(wrapStoreError(err, 'load', type), { op: 'load', type });
    }
  }
}

function wrapStoreError(err: unknown, op: string, type: string): unknown {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StoreError(ERR_BASELINE_STORE, `assessment baseline store: ${op} failed for type ${JSON.stringify(type)}: ${message}`, { cause: err });
}
