/**
 * The buffered, batched writer between the event pipeline and the database. Callers only
 * ever push into memory; one batch at a time is written in the background, and a failed
 * batch is retried (same rows, same ids) with back-off until the database takes it.
 *
 * Full-buffer policy (documented in docs/operations.md):
 * - up to `capacity` writes are held;
 * - past it, INFO and WARNING events are not queued (their log line is still written) and
 *   are counted as dropped;
 * - ERROR and CRITICAL events, alerts, blocks, unblocks, anomalies and audit entries may use
 *   a reserve of another 10% of `capacity`; past that they are dropped and counted too;
 * - once writing succeeds again, an EVENTS_DROPPED event records how many were dropped.
 * Memory stays flat: nothing is held beyond capacity × 1.1.
 *
 * Rejected rows: when the database refuses the data itself (ERR_WATCHPOST_DB_WRITE_REJECTED:
 * a value too long, a constraint), the batch is split in halves until the offending write is
 * alone; that one write is dropped (logged with its kind and id, and counted), and everything
 * else is written. A transient failure (database down, busy) is retried whole, never split.
 */
import { SecError } from './errors';
import { noopMetrics, silentLogger, type EventSink, type Logger, type MetricsSink, type WriteOp } from './ports';
import type { Severity } from './types';

/** Options of the writer. */
export interface BatchWriterOptions {
  readonly sink: EventSink;
  /** Writes held at most (plus a 10% reserve for important ones). */
  readonly capacity: number;
  /** Rows per write. */
  readonly batchSize: number;
  /** Longest wait before a partial batch is written, in ms. */
  readonly flushIntervalMs: number;
  /** First retry delay after a failed write, in ms. Defaults to `100`. */
  readonly retryBaseMs?: number;
  /** Longest retry delay, in ms. Defaults to `5000`. */
  readonly retryMaxMs?: number;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
  /** Told (once writing works again) how many writes were dropped, by severity or kind. */
  readonly onDropsReported?: (dropped: Readonly<Record<string, number>>, sinceMs: number) => void;
}

/** What close() managed. */
export interface CloseResult {
  readonly written: number;
  readonly remaining: number;
}

function importance(op: WriteOp): 'normal' | 'high' {
  if (op.kind !== 'event') return 'high';
  return op.record.severity === 'ERROR' || op.record.severity === 'CRITICAL' ? 'high' : 'normal';
}

function dropLabel(op: WriteOp): Severity | string {
  return op.kind === 'event' ? op.record.severity : op.kind;
}

/** The batched writer. */
export class BatchWriter {
  /** Writes that reached the database. */
  written = 0;
  /** Writes dropped because the buffer was full, since start. */
  droppedTotal = 0;
  private queue: WriteOp[] = [];
  private head = 0;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Current batch size: lowered while isolating a rejected write, restored after. */
  private limit: number;
  /** Writes dropped because the database rejected them. */
  rejectedTotal = 0;
  /** Bumped by every attempt that changed something (rows written, batch split, row dropped). */
  private progress = 0;
  private closed = false;
  private dropsSinceReport: Record<string, number> = {};
  private dropsSince = 0;
  private lastDropLog = 0;
  private readonly reserveCapacity: number;
  private readonly log: Logger;
  private readonly metrics: MetricsSink;

  constructor(private readonly options: BatchWriterOptions) {
    this.reserveCapacity = Math.floor((options.capacity * 11) / 10);
    this.limit = options.batchSize;
    this.log = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noopMetrics;
  }

  /** True while the last write attempt failed (the database is down or refusing). */
  get failing(): boolean {
    return this.failures > 0;
  }

  /** Writes waiting (including the batch being written). */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Queues one write. Returns false when it was dropped because the buffer is full. */
  enqueue(op: WriteOp): boolean {
    const size = this.size;
    if (size >= this.options.capacity && (size >= this.reserveCapacity || importance(op) === 'normal')) {
      this.drop(op);
      return false;
    }
    this.queue.push(op);
    if (this.closed) return true;
    if (this.size >= this.options.batchSize) this.kick(0);
    else this.kick(this.options.flushIntervalMs);
    return true;
  }

  /** Writes everything queued so far; resolves when it is written or a write failed. */
  async flush(): Promise<void> {
    while (this.size > 0) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      const before = this.progress;
      await this.startWrite();
      if (this.progress === before) return; // the write failed: leave the rest for the retry
    }
  }

  /**
   * Stops timers and writes what is left, retrying until `timeoutMs` has passed. Returns how
   * many writes reached the database during close and how many are left (then lost).
   */
  async close(timeoutMs = 10_000): Promise<CloseResult> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const start = this.written;
    const deadline = Date.now() + timeoutMs;
    let delay = 50;
    while (this.size > 0 && Date.now() < deadline) {
      if (this.writing) await this.writing;
      if (this.size === 0) break;
      if (!this.options.sink.isAvailable()) {
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
        delay = Math.min(delay * 2, 1000);
        continue;
      }
      const before = this.progress;
      await this.startWrite();
      if (this.progress === before) {
        await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
        delay = Math.min(delay * 2, 1000);
      }
    }
    const remaining = this.size;
    if (remaining > 0) {
      this.log.error({ event: 'events_lost_on_close', code: 'ERR_WATCHPOST_DB_UNAVAILABLE', remaining }, 'database did not take every buffered write before close');
    }
    return { written: this.written - start, remaining };
  }

  private kick(delayMs: number): void {
    if (this.closed || this.writing) return;
    if (delayMs === 0) {
      void this.startWrite();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => void this.startWrite(), delayMs);
    this.timer.unref();
  }

  /** The one way a write starts: never two in flight. */
  private startWrite(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.writing) {
      // `writing` is cleared only in this continuation, which always runs after the
      // assignment below, even when the attempt finishes without awaiting anything.
      const attempt: Promise<void> = this.writeOnce().then((ok) => {
        if (this.writing === attempt) this.writing = undefined;
        this.scheduleNext(ok);
      });
      this.writing = attempt;
    }
    return this.writing;
  }

  /** Writes one batch. Resolves true when it reached the database; never rejects. */
  private async writeOnce(): Promise<boolean> {
    if (this.size === 0) return true;
    const n = Math.min(this.limit, this.size);
    const batch = this.queue.slice(this.head, this.head + n);
    let ok = false;
    try {
      if (!this.options.sink.isAvailable()) throw new Error('database unavailable');
      await this.options.sink.write(batch);
      ok = true;
    } catch (err) {
      if (err instanceof SecError && err.code === 'ERR_WATCHPOST_DB_WRITE_REJECTED') {
        this.progress += 1;
        if (n > 1) {
          this.limit = Math.ceil(n / 2); // isolate: retry at once with half the batch
          return true;
        }
        this.dropRejected(batch[0], err);
        return true;
      }
      this.failures += 1;
      this.metrics.dbWriteError();
      if (this.failures === 1 || this.failures % 20 === 0) {
        this.log.error({ event: 'db_write_failed', code: 'ERR_WATCHPOST_DB_WRITE_FAILED', err: err instanceof Error ? err.message : String(err), buffered: this.size, failures: this.failures }, 'database write failed; retrying');
      }
    }
    if (ok) {
      this.progress += 1;
      this.head += n;
      this.written += n;
      if (this.limit < this.options.batchSize) this.limit = Math.min(this.options.batchSize, this.limit * 2);
      this.metrics.eventsWritten(n);
      if (this.failures > 0) this.log.info({ event: 'db_write_recovered', failures: this.failures }, 'database writes resumed');
      this.failures = 0;
      this.compact();
      this.reportDrops();
    }
    this.metrics.bufferSize(this.size);
    return ok;
  }

  /** After a write: the next batch at once, a partial one after the interval, or a retry after back-off. */
  private scheduleNext(ok: boolean): void {
    if (this.closed || this.size === 0) return;
    if (ok) this.kick(this.size >= this.options.batchSize ? 0 : this.options.flushIntervalMs);
    else {
      const base = this.options.retryBaseMs ?? 100;
      this.kick(Math.min(base * 2 ** Math.min(this.failures - 1, 16), this.options.retryMaxMs ?? 5000));
    }
  }

  private dropRejected(op: WriteOp, err: SecError): void {
    this.head += 1;
    this.rejectedTotal += 1;
    this.droppedTotal += 1;
    this.limit = this.options.batchSize;
    this.metrics.eventsDropped(op.kind, op.kind === 'event' ? op.record.severity : undefined, 1);
    const id = 'id' in op.record ? String((op.record as { id: unknown }).id) : 'ip' in op.record ? String((op.record as { ip: unknown }).ip) : undefined;
    this.log.error({ event: 'db_write_rejected', code: 'ERR_WATCHPOST_DB_WRITE_REJECTED', kind: op.kind, id, err: err.message }, 'the database rejected one write: dropped, the others are written');
    this.compact();
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    } else if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  private drop(op: WriteOp): void {
    const label = dropLabel(op);
    this.droppedTotal += 1;
    if (Object.keys(this.dropsSinceReport).length === 0) this.dropsSince = Date.now();
    this.dropsSinceReport[label] = (this.dropsSinceReport[label] ?? 0) + 1;
    this.metrics.eventsDropped(op.kind, op.kind === 'event' ? op.record.severity : undefined, 1);
    const now = Date.now();
    if (now - this.lastDropLog > 10_000) {
      this.lastDropLog = now;
      this.log.warn({ event: 'events_dropped', code: 'WRN_WATCHPOST_EVENTS_DROPPED', buffered: this.size, capacity: this.options.capacity, droppedTotal: this.droppedTotal }, 'event buffer full: writes are dropped (their log lines are kept)');
    }
  }

  private reportDrops(): void {
    if (Object.keys(this.dropsSinceReport).length === 0) return;
    const report = this.dropsSinceReport;
    const since = this.dropsSince;
    this.dropsSinceReport = {};
    this.options.onDropsReported?.(report, since);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
