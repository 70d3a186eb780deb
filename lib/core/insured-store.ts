/**
 * The `insure` store-error policy (STYLE.md section 4): while the shared store fails, a
 * per-process memory store answers instead, errors are counted, and a probe brings the
 * shared store back once it answers again. Over-limit results are never "errors": only a
 * StoreError trips the fallback.
 *
 * What the policy keeps and loses:
 * - blocks: every block is written to both stores, the fallback is seeded (from the
 *   database) when it takes over, and blocks made during the outage are copied back to
 *   the shared store on recovery, so a blocked client stays blocked throughout; unblocks
 *   made during the outage are applied to the shared store on recovery too;
 * - counters: counted per process during the outage and not copied back (a window's
 *   counts restart on recovery).
 */
import { StoreError } from './errors';
import { noopMetrics, silentLogger, type ActiveBlock, type Clock, type CounterStore, type Logger, type MetricsSink, type StoreOp, type StoreStatus, type WindowCount } from './ports';
import { systemClock } from './ports';

/** A store that can answer a cheap liveness probe. */
export interface ProbedStore extends CounterStore {
  ping?(): Promise<void>;
}

/** Options of the insured store. */
export interface InsuredStoreOptions {
  readonly primary: ProbedStore;
  readonly fallback: CounterStore;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
  readonly clock?: Clock;
  /** How often the failed primary is probed, in ms. Defaults to `1000`. */
  readonly probeIntervalMs?: number;
  /** Called when the fallback takes over (e.g. to seed it with blocks from the database). */
  readonly onFallback?: (fallback: CounterStore) => Promise<void> | void;
  /** Called when the primary is back. */
  readonly onRecover?: () => void;
}

/** CounterStore that falls back to memory while the primary fails. */
export class InsuredStore implements CounterStore {
  readonly kind: 'memory' | 'redis';
  readonly localKeys: boolean;
  /** Store errors seen since start (failed calls and failed recovery probes). */
  errors = 0;
  /** Why the last recovery probe failed, if it did (diagnostics). */
  lastProbeError: string | undefined;
  private mode: 'ok' | 'fallback' = 'ok';
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  /** Keys unblocked while the primary was away: lifted there on recovery. */
  private readonly pendingUnblocks = new Set<string>();
  private closed = false;
  private readonly primary: ProbedStore;
  private readonly fallback: CounterStore;
  private readonly log: Logger;
  private readonly metrics: MetricsSink;
  private readonly clock: Clock;
  private readonly probeIntervalMs: number;
  private readonly onFallback?: (fallback: CounterStore) => Promise<void> | void;
  private readonly onRecover?: () => void;

  constructor(options: InsuredStoreOptions) {
    this.primary = options.primary;
    this.fallback = options.fallback;
    this.kind = options.primary.kind;
    this.localKeys = options.primary.localKeys;
    this.log = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noopMetrics;
    this.clock = options.clock ?? systemClock;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.onFallback = options.onFallback;
    this.onRecover = options.onRecover;
  }

  /** 'ok' while the primary answers, 'fallback' while memory stands in. */
  get state(): 'ok' | 'fallback' {
    return this.mode;
  }

  /** For health checks and the admin API. */
  status(): StoreStatus & { lastProbeError?: string } {
    return { kind: this.kind, state: this.mode, errors: this.errors, ...(this.mode === 'fallback' && this.lastProbeError ? { lastProbeError: this.lastProbeError } : {}) };
  }

  async init(): Promise<void> {
    if (!this.primary.init) return;
    try {
      await this.primary.init();
    } catch (err) {
      this.trip('init', err);
    }
  }

  increment(key: string, windowMs: number): Promise<WindowCount> {
    return this.call('increment', (s) => s.increment(key, windowMs));
  }

  decrement(key: string, windowMs: number): Promise<void> {
    return this.call('decrement', (s) => s.decrement(key, windowMs));
  }

  reset(key: string): Promise<void> {
    // Reset both: a key counted during an outage must not survive a later reset.
    void this.fallback.reset(key).catch(() => undefined);
    return this.call('reset', (s) => s.reset(key));
  }

  get(key: string, windowMs: number): Promise<WindowCount | undefined> {
    return this.call('get', (s) => s.get(key, windowMs));
  }

  async block(key: string, blockMs: number): Promise<void> {
    // Mirrored into memory so that the block holds if the primary fails later.
    this.pendingUnblocks.delete(key);
    await this.fallback.block(key, blockMs);
    if (this.mode === 'ok') await this.call('block', (s) => s.block(key, blockMs));
  }

  async blockedUntil(key: string): Promise<Date | undefined> {
    return this.call('blocked_until', (s) => s.blockedUntil(key));
  }

  async unblock(key: string): Promise<void> {
    await this.fallback.unblock(key);
    if (this.mode === 'ok') await this.call('unblock', (s) => s.unblock(key));
    if (this.mode === 'fallback') this.pendingUnblocks.add(key);
  }

  listBlocks(limit?: number): Promise<ActiveBlock[]> {
    return this.call('list_blocks', (s) => s.listBlocks(limit));
  }

  claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    return this.call('claim', (s) => s.claim(key, value, ttlMs));
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    await Promise.allSettled([this.primary.shutdown(), this.fallback.shutdown()]);
  }

  private async call<T>(op: StoreOp, fn: (s: CounterStore) => Promise<T>): Promise<T> {
    if (this.mode === 'fallback') return fn(this.fallback);
    try {
      return await fn(this.primary);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      this.trip(op, err);
      return fn(this.fallback);
    }
  }

  private trip(op: StoreOp, err: unknown): void {
    this.errors += 1;
    this.metrics.storeError(this.primary.kind, op);
    if (this.mode === 'fallback' || this.closed) return;
    this.mode = 'fallback';
    this.metrics.storeFallback(true);
    this.log.warn(
      { event: 'store_fallback', code: 'WRN_WATCHPOST_STORE_FALLBACK', store: this.primary.kind, op, err: err instanceof Error ? err.message : String(err) },
      'shared store failed: counters and blocks use the memory store until it recovers',
    );
    if (this.onFallback) {
      Promise.resolve()
        .then(() => this.onFallback?.(this.fallback))
        .catch((e: unknown) => this.log.error({ event: 'store_fallback_seed_failed', err: String(e) }, 'could not seed the fallback store'));
    }
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.mode === 'ok' || this.closed) return;
    this.probing = true;
    try {
      if (this.primary.ping) await this.primary.ping();
      else await this.primary.get('watchpost:probe', 1000);
      // Back: lift what was unblocked and copy the blocks made during the outage, then switch.
      for (const key of [...this.pendingUnblocks]) {
        await this.primary.unblock(key);
        this.pendingUnblocks.delete(key);
      }
      const now = this.clock.now();
      const blocks = await this.fallback.listBlocks();
      for (const b of blocks) {
        const remaining = b.until.getTime() - now;
        if (remaining > 0) await this.primary.block(b.key, remaining);
      }
      this.mode = 'ok';
      if (this.probeTimer) clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      this.metrics.storeFallback(false);
      this.log.info({ event: 'store_recovered', store: this.primary.kind, blocksCopied: blocks.length }, 'shared store answers again');
      this.onRecover?.();
    } catch (err) {
      this.errors += 1;
      this.lastProbeError = err instanceof Error ? err.message : String(err);
      if (err instanceof StoreError) this.metrics.storeError(this.primary.kind, 'probe');
      else this.log.error({ event: 'store_probe_failed', err: String(err) }, 'store probe failed');
    } finally {
      this.probing = false;
    }
  }
}
