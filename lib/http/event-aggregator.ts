/**
 * Turns a flood of identical events into one event per key per window with a count, so
 * that a blocked client hammering the app never writes one row per request.
 */
import { requestSummary, type SecurityEventInput } from '../core/monitor';

interface Entry {
  count: number;
  readonly first: number;
  sample: Omit<SecurityEventInput, 'details'> & { details?: Record<string, unknown> };
}

/** Aggregates events by key; one event per key per `windowMs`, carrying the count. */
export class EventAggregator {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly emit: (input: SecurityEventInput) => void,
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** Counts one occurrence; the first of a window is kept as the sample. */
  add(key: string, sample: () => Entry['sample'], now: number): void {
    const e = this.entries.get(key);
    if (e) {
      e.count += 1;
      return;
    }
    if (this.entries.size >= this.maxKeys) this.flushOne(this.entries.keys().next().value as string);
    // Held for a whole window: keep the fields the event records, not the request (socket, body).
    const s = sample();
    this.entries.set(key, { count: 1, first: now, sample: s.request ? { ...s, request: requestSummary(s.request) } : s });
    if (!this.timer) {
      this.timer = setInterval(() => this.flushDue(Date.now()), Math.min(this.windowMs, 5000));
      this.timer.unref();
    }
  }

  /** Emits entries whose window has ended. */
  flushDue(now: number): void {
    for (const [key, e] of this.entries) if (now - e.first >= this.windowMs) this.flushOne(key);
    if (this.entries.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Emits everything (close). */
  flushAll(): void {
    for (const key of [...this.entries.keys()]) this.flushOne(key);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private flushOne(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.emit({ ...e.sample, details: { ...e.sample.details, count: e.count, windowStart: new Date(e.first).toISOString() } });
  }
}
