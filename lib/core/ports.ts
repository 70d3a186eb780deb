/**
 * Ports: the interfaces core/ talks to. Adapters (stores/, persistence/, logging/,
 * metrics/, alerting/) implement them; lib/index.ts wires them together.
 */
import type { ScanInput, ScanVerdict, SecurityEventType, Severity, ValueLocation } from './types';

/** Time source; tests inject a fake one. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Structured logger port: the object first, the message second (STYLE.md section 7). */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything (used where no logger was given, e.g. in the CLI). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

// ---------------------------------------------------------------------------
// Counter store (STYLE.md section 4)
// ---------------------------------------------------------------------------

/** A window count as seen right after an increment. */
export interface WindowCount {
  /** Events in the sliding window ending now (an estimate weighted over two buckets). */
  readonly count: number;
  /** When the current bucket ends; the count can only fall after this. */
  readonly resetAt: Date;
}

/** An active block. */
export interface ActiveBlock {
  readonly key: string;
  readonly until: Date;
}

/**
 * What app instances share: sliding-window counters, blocks with expiry, and a claim
 * primitive for once-per-window work (alerts). Every method returns a Promise (also in the
 * memory store). A decision is a value; a broken store throws StoreError.
 *
 * Counters are sliding windows approximated from two fixed buckets of `windowMs`: the count
 * is `current + previous × (1 − elapsed/windowMs)`, the weighted part rounded to nearest. This keeps two integers
 * per key whatever the rate, and never counts an event older than two windows.
 */
export interface CounterStore {
  /** Used as a log field and metric label. */
  readonly kind: 'memory' | 'redis';
  /** True when counts are per process (several instances do not share them). */
  readonly localKeys: boolean;
  /** Connects and loads scripts. Errors are caught and logged by the caller. */
  init?(): Promise<void>;
  /** Atomically adds one hit to `key`'s sliding window of `windowMs` and returns the count. */
  increment(key: string, windowMs: number): Promise<WindowCount>;
  /** Removes one hit from the current bucket; never below 0. */
  decrement(key: string, windowMs: number): Promise<void>;
  /** Forgets `key`'s counts (e.g. after a successful login). */
  reset(key: string): Promise<void>;
  /** The current sliding count without adding a hit, or undefined when nothing is counted. */
  get(key: string, windowMs: number): Promise<WindowCount | undefined>;
  /** Blocks `key` for `blockMs` from now (replacing a shorter or longer earlier block). */
  block(key: string, blockMs: number): Promise<void>;
  /** When `key`'s block ends, or undefined when it is not blocked. */
  blockedUntil(key: string): Promise<Date | undefined>;
  /** Lifts a block. */
  unblock(key: string): Promise<void>;
  /** Every block still active, at most `limit` of them (default 10,000). */
  listBlocks(limit?: number): Promise<ActiveBlock[]>;
  /**
   * Claims `key` for `ttlMs` with `value` if nobody holds it. Returns undefined when this
   * caller won the claim, else the holder's value. Used so that one instance, once per
   * window, writes an alert and applies a block.
   */
  claim(key: string, value: string, ttlMs: number): Promise<string | undefined>;
  /** Clears timers and closes connections; safe to call twice. */
  shutdown(): Promise<void>;
}

/** What a store's health looks like to /health and the logs. */
export interface StoreStatus {
  readonly kind: 'memory' | 'redis';
  /** 'ok', or 'fallback' while a failed shared store is replaced by memory. */
  readonly state: 'ok' | 'fallback' | 'down';
  readonly errors: number;
}

// ---------------------------------------------------------------------------
// Persistence (EventSink)
// ---------------------------------------------------------------------------

/** One row of security_events, as written. Strings are already sanitised and capped. */
export interface SecurityEventRecord {
  readonly id: string;
  readonly occurredAt: Date;
  readonly type: SecurityEventType;
  readonly severity: Severity;
  readonly sourceIp: string | null;
  readonly userIdentifier: string | null;
  readonly requestMethod: string | null;
  readonly requestPath: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A new row of security_alerts. */
export interface AlertRecord {
  readonly id: string;
  readonly rule: string;
  readonly keyType: 'ip' | 'user';
  readonly alertKey: string;
  readonly eventCount: number;
  readonly threshold: number;
  readonly windowSeconds: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly severity: Severity;
  readonly status: 'open' | 'acknowledged' | 'resolved';
  readonly details: Readonly<Record<string, unknown>>;
}

/** A later count for an alert already written (same rule, key and window). */
export interface AlertUpdate {
  readonly id: string;
  readonly eventCount: number;
  readonly lastSeen: Date;
}

/** The state of one blocked IP (one row per IP in blocked_ips). */
export interface BlockRecord {
  readonly ip: string;
  readonly reason: string;
  readonly rule: string | null;
  readonly blockedAt: Date;
  readonly expiresAt: Date;
  readonly blockCount: number;
  readonly details: Readonly<Record<string, unknown>>;
}

/** An unblock by an operator. */
export interface UnblockRecord {
  readonly ip: string;
  readonly unblockedAt: Date;
  readonly unblockedBy: string;
}

/** A row of assessment_anomalies. */
export interface AnomalyRecord {
  readonly id: string;
  readonly detectedAt: Date;
  readonly userIdentifier: string | null;
  readonly assessmentType: string;
  readonly anomalyType: string;
  readonly severity: Severity;
  readonly sourceIp: string | null;
  readonly requestId: string | null;
  readonly eventId: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A row of security_audit_log. */
export interface AuditRecord {
  readonly id: string;
  readonly occurredAt: Date;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly sourceIp: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A row of security_metrics. */
export interface MetricRecord {
  readonly recordedAt: Date;
  readonly name: string;
  readonly value: number;
  readonly labels: Readonly<Record<string, string>>;
}

/** One buffered write. The writer batches these and hands them to the sink in order. */
export type WriteOp =
  | { readonly kind: 'event'; readonly record: SecurityEventRecord }
  | { readonly kind: 'alert'; readonly record: AlertRecord }
  | { readonly kind: 'alert_update'; readonly record: AlertUpdate }
  | { readonly kind: 'block'; readonly record: BlockRecord }
  | { readonly kind: 'unblock'; readonly record: UnblockRecord }
  | { readonly kind: 'anomaly'; readonly record: AnomalyRecord }
  | { readonly kind: 'audit'; readonly record: AuditRecord }
  | { readonly kind: 'metric'; readonly record: MetricRecord };

/**
 * Where buffered writes go. `write` applies one batch atomically (all or nothing) and is
 * idempotent: a batch retried after an error that hid a commit is not written twice.
 */
export interface EventSink {
  /** True when a write can be attempted now. */
  isAvailable(): boolean;
  write(batch: readonly WriteOp[]): Promise<void>;
  /** Blocks that have not expired and were not lifted, for loading into the store. */
  loadActiveBlocks(now: Date): Promise<BlockRecord[]>;
}

// ---------------------------------------------------------------------------
// Injection scanning
// ---------------------------------------------------------------------------

/** What the HTTP layer needs from the injection detection engine (lib/detection). */
export interface InjectionScanner {
  /** One string value at a location. */
  scanValue(value: string, location?: ValueLocation, path?: string): ScanVerdict;
  /** Any parsed value (JSON body, parsed query): keys and string values, walked with caps. */
  scanObject(root: unknown, location: ValueLocation, pathPrefix?: string): ScanVerdict;
  /** Several parts of one request (strings or parsed values): one verdict, one set of caps. */
  scanInputs(inputs: readonly ScanInput[]): ScanVerdict;
}

// ---------------------------------------------------------------------------
// Alerting and metrics
// ---------------------------------------------------------------------------

/** What a channel is told when a threshold is crossed. */
export interface AlertNotice {
  readonly alert: AlertRecord;
  /** A few recent events behind the alert (already redacted). */
  readonly sample: readonly SecurityEventRecord[];
  /** Whether an IP block was applied, and until when. */
  readonly block?: { readonly ip: string; readonly until: Date; readonly offences: number };
  /** Notifications this channel held back (over its per-minute limit) since the last one it sent. */
  readonly suppressed?: number;
}

/** An alert channel (log, e-mail, Slack, webhook). */
export interface Alerter {
  readonly name: string;
  /** Sends the notice; resolves `'held'` when a rate cap kept it back (counted, not sent). */
  send(notice: AlertNotice): Promise<void | 'held'>;
}

/** Closed label sets for metrics (never IPs, usernames or raw URLs). */
export type StoreOp = 'increment' | 'decrement' | 'reset' | 'get' | 'block' | 'blocked_until' | 'unblock' | 'list_blocks' | 'claim' | 'init' | 'probe';

/** Metrics port: core reports through it; metrics/definitions.ts implements it with prom-client. */
export interface MetricsSink {
  eventLogged(type: SecurityEventType, severity: Severity): void;
  /** Buffered writes dropped; `severity` only for events. */
  eventsDropped(kind: WriteOp['kind'], severity: Severity | undefined, count: number): void;
  bufferSize(size: number): void;
  eventsWritten(count: number): void;
  dbWriteError(): void;
  storeError(store: 'memory' | 'redis', op: StoreOp): void;
  storeFallback(active: boolean): void;
  alertRaised(rule: string): void;
  ipBlocked(rule: string): void;
  alertDelivery(channel: string, outcome: 'sent' | 'failed' | 'held'): void;
}

/** A metrics sink that records nothing. */
export const noopMetrics: MetricsSink = {
  eventLogged() {},
  eventsDropped() {},
  bufferSize() {},
  eventsWritten() {},
  dbWriteError() {},
  storeError() {},
  storeFallback() {},
  alertRaised() {},
  ipBlocked() {},
  alertDelivery() {},
};
