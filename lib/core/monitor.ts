/**
 * The event pipeline's entry point: `logSecurityEvent()`. The caller's cost is a few
 * property reads, an id and an array push; everything else (sanitising, the log line,
 * the database buffer, threshold counting) happens right after, off the caller's path,
 * in one setImmediate batch.
 */
import type { BatchWriter } from './batch-writer';
import { InputError } from './errors';
import { newId } from './ids';
import { canonicalIp } from './ip';
import { noopMetrics, silentLogger, systemClock, type Clock, type Logger, type MetricsSink, type SecurityEventRecord } from './ports';
import { cleanText, sanitizeDetails } from './sanitize';
import { SECURITY_EVENT_TYPES, SEVERITIES, type SecurityEventType, type Severity } from './types';

/** The parts of an Express request an event records. */
export interface RequestLike {
  readonly method?: string;
  readonly originalUrl?: string;
  readonly url?: string;
  readonly ip?: string;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Set by wp.middleware(). */
  readonly watchpost?: { readonly requestId?: string };
}

/** The fields of `req` an event records, as a small plain object (for events held back before logging). */
export function requestSummary(req: RequestLike): RequestLike {
  const headers = req.headers;
  return {
    method: req.method,
    originalUrl: req.originalUrl ?? req.url,
    ip: req.ip,
    headers: headers ? { 'user-agent': headers['user-agent'], 'x-request-id': headers['x-request-id'] } : undefined,
    watchpost: req.watchpost?.requestId === undefined ? undefined : { requestId: req.watchpost.requestId },
  };
}

/** Input of logSecurityEvent(). */
export interface SecurityEventInput {
  /** One of the event types (any case), e.g. `SQL_INJECTION_ATTEMPT`. */
  readonly type: SecurityEventType | string;
  /** INFO, WARNING, ERROR or CRITICAL (any case). Defaults per type (see docs/logging.md). */
  readonly severity?: Severity | string;
  /** Client IP; defaults to `request.ip`. */
  readonly ip?: string | null;
  /** User name, e-mail or id. */
  readonly userIdentifier?: string | null;
  /** Anything that explains the event. Secrets are removed and size is capped before it is written. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** The request, for method, path, user agent and request id. */
  readonly request?: RequestLike;
  /** When it happened; defaults to now. */
  readonly occurredAt?: Date;
}

/** Default severity of each event type. */
export const DEFAULT_SEVERITY: Readonly<Record<SecurityEventType, Severity>> = {
  AUTH_FAILURE: 'WARNING',
  AUTH_SUCCESS: 'INFO',
  BRUTE_FORCE_ATTEMPT: 'CRITICAL',
  SQL_INJECTION_ATTEMPT: 'WARNING',
  XSS_ATTEMPT: 'WARNING',
  COMMAND_INJECTION_ATTEMPT: 'WARNING',
  PATH_TRAVERSAL_ATTEMPT: 'WARNING',
  NOSQL_INJECTION_ATTEMPT: 'WARNING',
  ASSESSMENT_ANOMALY: 'WARNING',
  SUSPICIOUS_ACTIVITY: 'WARNING',
  RATE_LIMIT_EXCEEDED: 'WARNING',
  DATA_ACCESS_VIOLATION: 'ERROR',
  SESSION_HIJACKING: 'CRITICAL',
  SSJS_INJECTION_ATTEMPT: 'WARNING',
  PROTOTYPE_POLLUTION_ATTEMPT: 'WARNING',
  SCAN_INCOMPLETE: 'WARNING',
  MALFORMED_REQUEST: 'INFO',
  IP_BLOCKED: 'WARNING',
  IP_UNBLOCKED: 'INFO',
  BLOCKED_REQUEST: 'INFO',
  ACCOUNT_LOCKED: 'WARNING',
  EVENTS_DROPPED: 'ERROR',
};

const TYPES = new Set<string>(SECURITY_EVENT_TYPES);
const SEVERITY_SET = new Set<string>(SEVERITIES);
const SEVERITY_ALIASES: Readonly<Record<string, Severity>> = { WARN: 'WARNING', ERR: 'ERROR', FATAL: 'CRITICAL' };

/** Where records go after they are built. */
export interface MonitorSinks {
  /** The JSON log line. */
  readonly logEvent: (record: SecurityEventRecord) => void;
  readonly writer: BatchWriter;
  /** Threshold counting; undefined when real-time monitoring is off. */
  readonly observe?: (record: SecurityEventRecord) => Promise<void>;
  /** Event types some rule counts; others skip `observe` (no promise to track). */
  readonly counted?: ReadonlySet<SecurityEventType>;
}

interface Pending {
  readonly id: string;
  readonly at: number;
  readonly type: SecurityEventType;
  readonly severity: Severity;
  readonly ip: unknown;
  readonly user: unknown;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  readonly method: unknown;
  readonly path: unknown;
  readonly userAgent: unknown;
  readonly requestId: unknown;
}

/** Options of the monitor. */
export interface SecurityMonitorOptions {
  readonly sinks: MonitorSinks;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
}

/** The monitor behind `wp.monitor`. */
export class SecurityMonitor {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;
  private warnedClosed = false;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: MetricsSink;

  constructor(private readonly options: SecurityMonitorOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noopMetrics;
  }

  /**
   * Logs a security event: one JSON log line, one `security_events` row (batched, in the
   * background) and threshold counting. Returns the event id. Throws InputError
   * (ERR_WATCHPOST_INVALID_EVENT) for an unknown type or severity.
   */
  logSecurityEvent(input: SecurityEventInput): string {
    if (input === null || typeof input !== 'object') {
      throw new InputError('ERR_WATCHPOST_INVALID_EVENT', `logSecurityEvent: expected an object with a type, got ${JSON.stringify(input)}.`);
    }
    const type = eventType(input.type);
    const severity = input.severity === undefined ? DEFAULT_SEVERITY[type] : severityOf(input.severity);
    const req = input.request;
    const headers = req?.headers;
    const id = newId();
    if (this.closed) {
      this.metrics.eventsDropped('event', severity, 1);
      if (!this.warnedClosed) {
        this.warnedClosed = true;
        // The logger is closed by now: say it on the process's warning channel (stderr).
        process.emitWarning(`watchpost: logSecurityEvent(${type}) called after close(): the event is not recorded`, { code: 'ERR_WATCHPOST_CLOSED' });
      }
      return id;
    }
    const at = input.occurredAt instanceof Date && !Number.isNaN(input.occurredAt.getTime()) ? input.occurredAt.getTime() : this.clock.now();
    this.pending.push({
      id,
      at,
      type,
      severity,
      ip: input.ip ?? req?.ip,
      user: input.userIdentifier,
      // Shallow copy: the caller may reuse its object after the call returns.
      details: input.details ? { ...input.details } : undefined,
      method: req?.method,
      path: req?.originalUrl ?? req?.url,
      userAgent: headers?.['user-agent'],
      requestId: req?.watchpost?.requestId ?? headers?.['x-request-id'],
    });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
    return id;
  }

  /** Processes everything logged so far and waits for its threshold counting. */
  async settle(): Promise<void> {
    this.drain();
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
    // Counting may have logged more events (IP_BLOCKED): process those too.
    if (this.pending.length > 0) await this.settle();
  }

  /** Stops accepting work after processing what is pending. */
  async close(): Promise<void> {
    await this.settle();
    this.closed = true;
  }

  /** True after close(). */
  get isClosed(): boolean {
    return this.closed;
  }

  private drain(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const { logEvent, writer, observe, counted } = this.options.sinks;
    for (const p of batch) {
      let record: SecurityEventRecord;
      try {
        record = build(p);
      } catch (err) {
        this.log.error({ event: 'event_build_failed', type: p.type, err: err instanceof Error ? err.message : String(err) }, 'could not build a security event');
        continue;
      }
      try {
        logEvent(record);
      } catch (err) {
        this.log.error({ event: 'event_log_failed', err: err instanceof Error ? err.message : String(err) }, 'could not write a security log line');
      }
      this.metrics.eventLogged(record.type, record.severity);
      writer.enqueue({ kind: 'event', record });
      if (observe && (!counted || counted.has(record.type))) {
        const work = observe(record).catch((err: unknown) => {
          this.log.error({ event: 'threshold_check_failed', err: err instanceof Error ? err.message : String(err) }, 'threshold counting failed');
        });
        this.inflight.add(work);
        void work.finally(() => this.inflight.delete(work));
      }
    }
  }
}

function eventType(raw: unknown): SecurityEventType {
  const t = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if (!TYPES.has(t)) {
    throw new InputError('ERR_WATCHPOST_INVALID_EVENT', `logSecurityEvent: unknown type ${JSON.stringify(raw)}. Use one of ${SECURITY_EVENT_TYPES.join(', ')}.`);
  }
  return t as SecurityEventType;
}

function severityOf(raw: unknown): Severity {
  const s = typeof raw === 'string' ? raw.trim().toUpperCase() : '';
  if (SEVERITY_SET.has(s)) return s as Severity;
  const alias = SEVERITY_ALIASES[s];
  if (alias) return alias;
  throw new InputError('ERR_WATCHPOST_INVALID_EVENT', `logSecurityEvent: unknown severity ${JSON.stringify(raw)}. Use INFO, WARNING, ERROR or CRITICAL.`);
}

function firstHeader(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

/** Sanitises and caps every field (off the caller's path). */
function build(p: Pending): SecurityEventRecord {
  const ip = canonicalIp(firstHeader(p.ip));
  return {
    id: p.id,
    occurredAt: new Date(p.at),
    type: p.type,
    severity: p.severity,
    sourceIp: ip ?? null,
    userIdentifier: cleanText(p.user, 320),
    requestMethod: cleanText(p.method, 16),
    requestPath: cleanText(p.path, 2000),
    userAgent: cleanText(firstHeader(p.userAgent), 500),
    requestId: cleanText(firstHeader(p.requestId), 128),
    details: p.ip !== undefined && p.ip !== null && ip === undefined ? { ...sanitizeDetails(p.details), unparsedIp: cleanText(p.ip, 100) } : sanitizeDetails(p.details),
  };
}
