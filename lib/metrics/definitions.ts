/**
 * Every metric watchpost exports, created on an injected prom-client Registry (never the
 * global one). Label values come only from closed sets; IPs, users and URLs are never labels.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { CheckHistogram } from './check-histogram';
import type { MetricsSink, StoreOp } from '../core/ports';
import { SECURITY_EVENT_TYPES, SEVERITIES, type SecurityEventType, type Severity } from '../core/types';

/** The metrics, for handlers that read them. */
export interface WatchpostMetrics extends MetricsSink {
  readonly registry: Registry;
  /** Times a guard's work, in seconds (histogram `watchpost_check_duration_seconds`). */
  startCheckTimer(guard: string): () => void;
  /** A request refused by a guard. */
  blockedRequest(guard: string): void;
  /** One anomaly found in an assessment submission, by check. */
  assessmentAnomaly(check: string): void;
}

const KNOWN_TYPES = new Set<string>(SECURITY_EVENT_TYPES);
const KNOWN_SEVERITIES = new Set<string>(SEVERITIES);
const CHECKS = new Set(['too_fast', 'rapid_guessing', 'straight_lining', 'sequential_pattern', 'alternating_pattern', 'score_outlier', 'fast_high_score', 'injection', 'scan_incomplete', 'invalid_submission']);
const KINDS = new Set(['event', 'alert', 'alert_update', 'block', 'unblock', 'anomaly', 'audit', 'metric']);
const GUARDS = new Set(['ip_block', 'ip_filter', 'rate_limit', 'injection', 'login', 'assessment']);

/** Values read when Prometheus scrapes. */
export interface MetricsSources {
  /** IPs blocked right now. */
  readonly blockedIps?: () => Promise<number>;
}

/** Creates the metrics on `registry`. */
export function createMetrics(registry: Registry, sources: MetricsSources = {}): WatchpostMetrics {
  // Counted in a plain map on the hot path and handed to prom-client when it is scraped.
  const pendingEvents = new Map<string, number>();
  new Counter({
    name: 'watchpost_security_events_total',
    help: 'Security events logged, by type and severity.',
    labelNames: ['type', 'severity'],
    registers: [registry],
    collect() {
      for (const [key, n] of pendingEvents) {
        const cut = key.indexOf('|');
        this.inc({ type: key.slice(0, cut), severity: key.slice(cut + 1) }, n);
      }
      pendingEvents.clear();
    },
  });
  const dropped = new Counter({ name: 'watchpost_events_dropped_total', help: 'Buffered database writes dropped (buffer full, or rejected by the database), by kind and, for events, severity.', labelNames: ['kind', 'severity'], registers: [registry] });
  const written = new Counter({ name: 'watchpost_events_written_total', help: 'Buffered writes (events, alerts, blocks, ...) stored in the database.', registers: [registry] });
  const buffer = new Gauge({ name: 'watchpost_event_buffer_size', help: 'Writes waiting for the database.', registers: [registry] });
  const dbErrors = new Counter({ name: 'watchpost_db_write_errors_total', help: 'Failed database batch writes (each is retried).', registers: [registry] });
  const storeErrors = new Counter({ name: 'watchpost_store_errors_total', help: 'Counter store errors, by store and operation.', labelNames: ['store', 'op'], registers: [registry] });
  const fallback = new Gauge({ name: 'watchpost_store_fallback_active', help: '1 while the memory store stands in for a failed shared store.', registers: [registry] });
  const alerts = new Counter({ name: 'watchpost_alerts_total', help: 'Alerts raised, by rule.', labelNames: ['rule'], registers: [registry] });
  const blocks = new Counter({ name: 'watchpost_ip_blocks_total', help: 'IP blocks applied, by reason (rule).', labelNames: ['reason'], registers: [registry] });
  const readBlocked = sources.blockedIps;
  new Gauge({
    name: 'watchpost_blocked_ips',
    help: 'IPs blocked right now (read from the store at scrape time).',
    registers: [registry],
    async collect() {
      if (!readBlocked) return;
      try {
        this.set(await readBlocked());
      } catch {
        // the store is down: keep the last value
      }
    },
  });
  const deliveries = new Counter({ name: 'watchpost_alert_deliveries_total', help: 'Alert notifications sent, by channel and outcome.', labelNames: ['channel', 'outcome'], registers: [registry] });
  const anomalies = new Counter({ name: 'watchpost_assessment_anomalies_total', help: 'Anomalies found in assessment submissions, by check.', labelNames: ['rule'], registers: [registry] });
  const refused = new Counter({ name: 'watchpost_blocked_requests_total', help: 'Requests refused, by guard.', labelNames: ['guard'], registers: [registry] });
  // Observed on the request path: a light histogram that prom-client formats at scrape time.
  const checks = new CheckHistogram(
    'watchpost_check_duration_seconds',
    'Time spent in each guard of the request path.',
    'guard',
    [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025, 0.1],
    registry,
  );

  const rule = (r: string) => (/^[a-z_]{1,40}$/.test(r) ? r : 'other');
  const channel = (c: string) => (/^[a-z_]{1,20}$/.test(c) ? c : 'other');
  return {
    registry,
    eventLogged(type: SecurityEventType, severity: Severity) {
      const key = `${KNOWN_TYPES.has(type) ? type : 'other'}|${KNOWN_SEVERITIES.has(severity) ? severity : 'other'}`;
      pendingEvents.set(key, (pendingEvents.get(key) ?? 0) + 1);
    },
    eventsDropped(kind: string, severity: Severity | undefined, count: number) {
      dropped.inc({ kind: KINDS.has(kind) ? kind : 'other', severity: severity === undefined ? 'none' : KNOWN_SEVERITIES.has(severity) ? severity : 'other' }, count);
    },
    bufferSize(size: number) {
      buffer.set(size);
    },
    eventsWritten(count: number) {
      written.inc(count);
    },
    dbWriteError() {
      dbErrors.inc();
    },
    storeError(store: 'memory' | 'redis', op: StoreOp) {
      storeErrors.inc({ store, op });
    },
    storeFallback(active: boolean) {
      fallback.set(active ? 1 : 0);
    },
    alertRaised(r: string) {
      alerts.inc({ rule: rule(r) });
    },
    ipBlocked(r: string) {
      blocks.inc({ reason: rule(r) });
    },
    alertDelivery(c: string, outcome: 'sent' | 'failed' | 'held') {
      deliveries.inc({ channel: channel(c), outcome });
    },
    assessmentAnomaly(check: string) {
      anomalies.inc({ rule: CHECKS.has(check) ? check : 'other' });
    },
    blockedRequest(guard: string) {
      refused.inc({ guard: GUARDS.has(guard) ? guard : 'other' });
    },
    startCheckTimer(guard: string) {
      return checks.startTimer(GUARDS.has(guard) ? guard : 'other');
    },
  };
}
