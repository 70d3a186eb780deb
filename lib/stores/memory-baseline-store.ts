/**
 * In-process {@link BaselineStore}: for the CLI, tests, the benchmark and single-process apps.
 * Bounded: at most `maxSamplesPerType` samples per type (oldest dropped first) and `maxTypes`
 * types (samples of further types are dropped, existing baselines are never evicted). Writes
 * are applied synchronously when `append` is called, so callers that do not await it (the
 * analyzer's background mode) see the same state as callers that do.
 */
import type { BaselineReference, BaselineSample, BaselineStore } from '../core/assessment-baseline-store';

/** Options of {@link MemoryBaselineStore}. */
export interface MemoryBaselineStoreOptions {
  /** Samples kept per type; the oldest are dropped first. Defaults to `20000`. */
  readonly maxSamplesPerType?: number;
  /** Types kept; samples of more types are dropped. Defaults to `1000`. */
  readonly maxTypes?: number;
}

interface TypeState {
  /** user -> sample, in insertion order = order of last append (oldest first). */
  readonly samples: Map<string, BaselineSample>;
  reference?: BaselineReference;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** A JSON copy, frozen so that readers handed the stored object cannot change it. */
function frozenCopy(sample: BaselineSample): BaselineSample {
  const copy = clone(sample) as BaselineSample & { itemLnTimes?: Record<string, number>; itemSec?: Record<string, number> };
  if (copy.itemLnTimes) Object.freeze(copy.itemLnTimes);
  if (copy.itemSec) Object.freeze(copy.itemSec);
  return Object.freeze(copy);
}

/** Memory implementation of the baseline store port. */
export class MemoryBaselineStore implements BaselineStore {
  readonly kind = 'memory' as const;
  readonly localOnly = true;
  readonly maxSamplesPerType: number;
  private readonly maxTypes: number;
  private readonly types = new Map<string, TypeState>();
  /** Samples dropped because the type cap was reached (for tests and diagnostics). */
  droppedForTypeCap = 0;

  constructor(options: MemoryBaselineStoreOptions = {}) {
    this.maxSamplesPerType = Math.max(1, Math.floor(options.maxSamplesPerType ?? 20000));
    this.maxTypes = Math.max(1, Math.floor(options.maxTypes ?? 1000));
  }

  private state(type: string, create: boolean): TypeState | undefined {
    let s = this.types.get(type);
    if (!s && create) {
      if (this.types.size >= this.maxTypes) return undefined;
      s = { samples: new Map() };
      this.types.set(type, s);
    }
    return s;
  }

  append(type: string, sample: BaselineSample, expireBeforeMs: number): Promise<void> {
    const s = this.state(type, true);
    if (!s) {
      this.droppedForTypeCap += 1;
      return Promise.resolve();
    }
    const copy = frozenCopy(sample);
    const prev = s.samples.get(copy.user);
    if (prev && prev.atMs > copy.atMs) return Promise.resolve();
    s.samples.delete(copy.user);
    s.samples.set(copy.user, copy);
    // Expire from the oldest end. Appends arrive roughly in time order, so the map's order is
    // close to time order; a late, out-of-order old sample is still filtered out by `samples`.
    for (const [user, old] of s.samples) {
      if (old.atMs >= expireBeforeMs) break;
      s.samples.delete(user);
    }
    while (s.samples.size > this.maxSamplesPerType) {
      const oldest = s.samples.keys().next().value as string;
      s.samples.delete(oldest);
    }
    return Promise.resolve();
  }

  samples(type: string, sinceMs: number): Promise<readonly BaselineSample[]> {
    const s = this.types.get(type);
    if (!s) return Promise.resolve([]);
    const out: BaselineSample[] = [];
    for (const sample of s.samples.values()) if (sample.atMs >= sinceMs) out.push(sample);
    return Promise.resolve(out);
  }

  getReference(type: string): Promise<BaselineReference | undefined> {
    const ref = this.types.get(type)?.reference;
    return Promise.resolve(ref ? clone(ref) : undefined);
  }

  putReference(type: string, next: BaselineReference, expectedFrozenAtMs: number | null): Promise<boolean> {
    const s = this.state(type, true);
    if (!s) return Promise.resolve(false);
    const current = s.reference ? s.reference.frozenAtMs : null;
    if (current !== expectedFrozenAtMs) return Promise.resolve(false);
    s.reference = clone(next);
    return Promise.resolve(true);
  }

  deleteReference(type: string): Promise<void> {
    const s = this.types.get(type);
    if (s) s.reference = undefined;
    return Promise.resolve();
  }

  /** Number of types held (for tests and diagnostics). */
  typeCount(): number {
    return this.types.size;
  }

  shutdown(): Promise<void> {
    this.types.clear();
    return Promise.resolve();
  }
}
