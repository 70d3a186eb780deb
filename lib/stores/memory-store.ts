/**
 * Per-process CounterStore. Sliding windows from two fixed buckets per key, blocks and
 * claims with expiry, a cap on tracked keys (the least recently used go first, counted in
 * `evictions`), and an unref'd sweep that drops expired entries in bulk.
 */
import { systemClock, type ActiveBlock, type Clock, type CounterStore, type WindowCount } from '../core/ports';

/** Options of the memory store. */
export interface MemoryStoreOptions {
  /** Most counter keys tracked; least recently used are evicted past it. Defaults to `100000`. */
  readonly maxKeys?: number;
  /** Most blocks and claims held each; the longest-held are evicted past it. Defaults to `maxKeys`. */
  readonly maxBlocks?: number;
  /** How often expired entries are swept, in ms. Defaults to `30000`. */
  readonly sweepIntervalMs?: number;
  readonly clock?: Clock;
}

interface Bucket {
  bucket: number;
  curr: number;
  prev: number;
  windowMs: number;
}

/** Weighted sliding count from two buckets (see CounterStore). */
export function slidingCount(curr: number, prev: number, elapsedMs: number, windowMs: number): number {
  const weight = Math.max(0, 1 - elapsedMs / windowMs);
  return curr + Math.round(prev * weight);
}

/** The memory CounterStore. */
export class MemoryStore implements CounterStore {
  readonly kind = 'memory' as const;
  readonly localKeys = true;
  /** Counter keys, blocks or claims dropped because a cap was reached. */
  evictions = 0;

  private readonly counters = new Map<string, Bucket>();
  private readonly blocks = new Map<string, number>();
  private readonly claims = new Map<string, { value: string; until: number }>();
  private readonly clock: Clock;
  private readonly maxKeys: number;
  private readonly maxBlocks: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.maxBlocks = options.maxBlocks ?? this.maxKeys;
    const every = options.sweepIntervalMs ?? 30_000;
    this.timer = setInterval(() => this.sweep(), every);
    this.timer.unref();
  }

  /** Number of counter keys tracked now. */
  get size(): number {
    return this.counters.size;
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    return this.add(key, windowMs, 1);
  }

  async decrement(key: string, windowMs: number): Promise<void> {
    if (this.counters.has(key)) this.add(key, windowMs, -1);
  }

  async reset(key: string): Promise<void> {
    this.counters.delete(key);
  }

  async get(key: string, windowMs: number): Promise<WindowCount | undefined> {
    const entry = this.counters.get(key);
    if (!entry) return undefined;
    const now = this.clock.now();
    const b = Math.floor(now / windowMs);
    const { curr, prev } = this.roll(entry, b);
    const count = slidingCount(curr, prev, now - b * windowMs, windowMs);
    return count > 0 ? { count, resetAt: new Date((b + 1) * windowMs) } : undefined;
  }

  async block(key: string, blockMs: number): Promise<void> {
    this.blocks.delete(key);
    this.blocks.set(key, this.clock.now() + blockMs);
    if (this.blocks.size > this.maxBlocks) this.evictOldest(this.blocks);
  }

  async blockedUntil(key: string): Promise<Date | undefined> {
    const until = this.blocks.get(key);
    if (until === undefined) return undefined;
    if (until <= this.clock.now()) {
      this.blocks.delete(key);
      return undefined;
    }
    return new Date(until);
  }

  async unblock(key: string): Promise<void> {
    this.blocks.delete(key);
  }

  async listBlocks(limit = 10_000): Promise<ActiveBlock[]> {
    const now = this.clock.now();
    const out: ActiveBlock[] = [];
    for (const [key, until] of this.blocks) {
      if (until <= now) continue;
      out.push({ key, until: new Date(until) });
      if (out.length >= limit) break;
    }
    return out;
  }

  async claim(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const now = this.clock.now();
    const held = this.claims.get(key);
    if (held && held.until > now) return held.value;
    this.claims.set(key, { value, until: now + ttlMs });
    if (this.claims.size > this.maxBlocks) this.evictOldest(this.claims);
    return undefined;
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Drops expired counters, blocks and claims. Runs on a timer; callable from tests. */
  sweep(): void {
    const now = this.clock.now();
    for (const [key, entry] of this.counters) {
      if (Math.floor(now / entry.windowMs) - entry.bucket >= 2) this.counters.delete(key);
    }
    for (const [key, until] of this.blocks) if (until <= now) this.blocks.delete(key);
    for (const [key, held] of this.claims) if (held.until <= now) this.claims.delete(key);
  }

  private add(key: string, windowMs: number, delta: number): WindowCount {
    const now = this.clock.now();
    const b = Math.floor(now / windowMs);
    let entry = this.counters.get(key);
    if (entry) {
      // Move to the end of the Map so that eviction drops the least recently used key.
      this.counters.delete(key);
      const rolled = this.roll(entry, b);
      entry.bucket = b;
      entry.curr = rolled.curr;
      entry.prev = rolled.prev;
      entry.windowMs = windowMs;
    } else {
      entry = { bucket: b, curr: 0, prev: 0, windowMs };
    }
    entry.curr = Math.max(0, entry.curr + delta);
    this.counters.set(key, entry);
    if (this.counters.size > this.maxKeys) {
      const oldest = this.counters.keys().next().value as string;
      this.counters.delete(oldest);
      this.evictions += 1;
    }
    return { count: slidingCount(entry.curr, entry.prev, now - b * windowMs, windowMs), resetAt: new Date((b + 1) * windowMs) };
  }

  private roll(entry: Bucket, b: number): { curr: number; prev: number } {
    if (entry.bucket === b) return { curr: entry.curr, prev: entry.prev };
    if (entry.bucket === b - 1) return { curr: 0, prev: entry.curr };
    return { curr: 0, prev: 0 };
  }

  /** O(1): the Map's first key is the entry set longest ago. */
  private evictOldest<V>(map: Map<string, V>): void {
    const oldest = map.keys().next();
    if (!oldest.done) {
      map.delete(oldest.value);
      this.evictions += 1;
    }
  }
}
