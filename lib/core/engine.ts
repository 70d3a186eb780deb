/**
 * The threshold engine: count -> decide -> respond. Each event is counted against the
 * rules for its type, per IP and per user, in the shared store. When a count reaches a
 * rule's threshold, one instance wins a claim for (rule, key, window) and writes the alert,
 * notifies the channels and, for blocking rules keyed by IP, blocks the IP for a time that
 * doubles with each repeat offence. Later events in the same window only raise the alert's
 * count (coalesced), so a flood never becomes an alert storm.
 */
import type { BatchWriter } from './batch-writer';
import { newId } from './ids';
import { normalizeUser } from './identity';
import { noopMetrics, silentLogger, systemClock, type AlertNotice, type AlertRecord, type AlertUpdate, type Alerter, type Clock, type CounterStore, type Logger, type MetricsSink, type SecurityEventRecord } from './ports';
import { rulesByEventType, type ThresholdRule } from './rules';
import type { SecurityEventType, Severity } from './types';

/** What the engine asks the monitor to log (IP_BLOCKED and friends). */
export interface EngineEvent {
  readonly type: SecurityEventType;
  readonly severity: Severity;
  readonly ip?: string | null;
  readonly userIdentifier?: string | null;
  readonly details: Record<string, unknown>;
}

/** Dependencies of the engine. */
export interface ThresholdEngineOptions {
  readonly rules: readonly ThresholdRule[];
  readonly store: CounterStore;
  readonly writer: BatchWriter;
  /** Logs an event the engine produces (through the monitor, so it is logged and stored). */
  readonly emit: (event: EngineEvent) => void;
  readonly alerters?: readonly Alerter[];
  readonly ipBlock: { readonly baseMs: number; readonly maxMs: number; readonly offenceWindowMs: number };
  /** Clients that are never blocked (allow list); keyed like blocks. */
  readonly isExempt?: (ipKey: string) => boolean;
  /** Turns an event's source IP into the counter/block key (IPv6 prefix). */
  readonly ipKeyOf: (ip: string) => string | undefined;
  /** How long alert count updates are coalesced before they are queued, in ms. Defaults to `1000`. */
  readonly updateCoalesceMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
}

/** Result of a block. */
export interface BlockResult {
  readonly key: string;
  readonly until: Date;
  readonly offences: number;
  readonly durationMs: number;
}

/** Store key of a block. */
export function blockKeyOf(ipKey: string): string {
  return `ip:${ipKey}`;
}

/** The threshold engine. */
export class ThresholdEngine {
  private readonly byType: ReadonlyMap<SecurityEventType, readonly ThresholdRule[]>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics: MetricsSink;
  private readonly pendingUpdates = new Map<string, AlertUpdate>();
  private readonly deliveries = new Set<Promise<void>>();
  private updateTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ThresholdEngineOptions) {
    this.byType = rulesByEventType(o.rules);
    this.clock = o.clock ?? systemClock;
    this.log = o.logger ?? silentLogger;
    this.metrics = o.metrics ?? noopMetrics;
  }

  /** Counts one event against its rules and responds to crossings. Never rejects. */
  async observe(record: SecurityEventRecord): Promise<void> {
    const rules = this.byType.get(record.type);
    if (!rules) return;
    const ipKey = record.sourceIp ? this.o.ipKeyOf(record.sourceIp) : undefined;
    const userKey = record.userIdentifier ? normalizeUser(record.userIdentifier) : undefined;
    const work: Promise<void>[] = [];
    for (const rule of rules) {
      if (rule.perIp && ipKey) work.push(this.count(rule, 'ip', ipKey, record));
      if (rule.perUser && userKey) work.push(this.count(rule, 'user', userKey, record));
    }
    await Promise.all(work);
  }

  /**
   * Blocks an IP key: the duration doubles with each offence within the offence window,
   * up to the maximum, unless `durationMs` is given (manual block).
   */
  async blockIp(ipKey: string, reason: string, rule: string | null, details: Record<string, unknown>, durationMs?: number): Promise<BlockResult> {
    const offences = (await this.o.store.increment(`offences:${ipKey}`, this.o.ipBlock.offenceWindowMs)).count;
    const duration = durationMs ?? Math.min(this.o.ipBlock.baseMs * 2 ** Math.max(0, Math.min(offences - 1, 30)), this.o.ipBlock.maxMs);
    await this.o.store.block(blockKeyOf(ipKey), duration);
    const now = this.clock.now();
    const until = new Date(now + duration);
    this.o.writer.enqueue({ kind: 'block', record: { ip: ipKey, reason, rule, blockedAt: new Date(now), expiresAt: until, blockCount: offences, details } });
    this.metrics.ipBlocked(rule ?? 'manual');
    this.o.emit({ type: 'IP_BLOCKED', severity: 'WARNING', ip: ipKey.includes('/') ? null : ipKey, details: { key: ipKey, reason, rule, durationMs: duration, until: until.toISOString(), offences, ...details } });
    this.log.warn({ event: 'ip_blocked', key: ipKey, rule, durationMs: duration, offences }, 'IP blocked');
    return { key: ipKey, until, offences, durationMs: duration };
  }

  /** Waits for alert notifications in flight, at most `timeoutMs` (close and tests). */
  async settleDeliveries(timeoutMs = 10_000): Promise<void> {
    if (this.deliveries.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.deliveries]), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    if (timer) clearTimeout(timer);
  }

  /** Writes coalesced alert updates now (close and tests). */
  flushUpdates(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.updateTimer = undefined;
    for (const u of this.pendingUpdates.values()) this.o.writer.enqueue({ kind: 'alert_update', record: u });
    this.pendingUpdates.clear();
  }

  private async count(rule: ThresholdRule, keyType: 'ip' | 'user', key: string, record: SecurityEventRecord): Promise<void> {
    try {
      const { count } = await this.o.store.increment(`${rule.id}:${keyType}:${key}`, rule.windowMs);
      if (count < rule.threshold) return;
      await this.crossed(rule, keyType, key, count, record);
    } catch (err) {
      this.log.error({ event: 'threshold_check_failed', rule: rule.id, keyType, err: err instanceof Error ? err.message : String(err) }, 'could not count an event against its rule');
    }
  }

  private async crossed(rule: ThresholdRule, keyType: 'ip' | 'user', key: string, count: number, record: SecurityEventRecord): Promise<void> {
    const now = new Date(this.clock.now());
    const alertId = newId();
    // One alert per rule, key and window, whichever instance sees the crossing first.
    const holder = await this.o.store.claim(`alert:${rule.id}:${keyType}:${key}`, alertId, rule.windowMs);
    let alert: AlertRecord | undefined;
    if (holder === undefined) {
      alert = {
        id: alertId,
        rule: rule.id,
        keyType,
        alertKey: key,
        eventCount: count,
        threshold: rule.threshold,
        windowSeconds: Math.round(rule.windowMs / 1000),
        firstSeen: now,
        lastSeen: now,
        severity: rule.severity,
        status: 'open',
        details: { eventTypes: rule.eventTypes, triggeringEventId: record.id, triggeringEventType: record.type },
      };
      this.o.writer.enqueue({ kind: 'alert', record: alert });
      this.metrics.alertRaised(rule.id);
      this.log.warn({ event: 'alert_raised', alertId, rule: rule.id, keyType, count, threshold: rule.threshold }, 'security alert raised');
    } else {
      this.queueUpdate({ id: holder, eventCount: count, lastSeen: now });
    }

    // Blocking is decided apart from the alert: an IP over a blocking rule's threshold and
    // not blocked right now is blocked again (after an expiry or an early unblock), for
    // longer each time. A short claim stops two instances from blocking it twice at once.
    let block: AlertNotice['block'];
    if (rule.blocksIp && keyType === 'ip' && !this.o.isExempt?.(key)) {
      try {
        if (!(await this.o.store.blockedUntil(blockKeyOf(key))) && (await this.o.store.claim(`blocking:${key}`, alertId, 1000)) === undefined) {
          const b = await this.blockIp(key, `${rule.id} threshold crossed (${count} in ${Math.round(rule.windowMs / 1000)} s)`, rule.id, { alertId: holder ?? alertId });
          block = { ip: key, until: b.until, offences: b.offences };
        }
      } catch (err) {
        this.log.error({ event: 'ip_block_failed', rule: rule.id, err: err instanceof Error ? err.message : String(err) }, 'could not block an IP');
      }
    }
    if (alert) this.notify({ alert, sample: [record], block });
  }

  private notify(notice: AlertNotice): void {
    for (const alerter of this.o.alerters ?? []) {
      // Not awaited: a slow or failing channel never delays counting or the request.
      const delivery = alerter.send(notice).then(
        (result) => this.metrics.alertDelivery(alerter.name, result === 'held' ? 'held' : 'sent'),
        (err: unknown) => {
          this.metrics.alertDelivery(alerter.name, 'failed');
          this.log.error({ event: 'alert_delivery_failed', channel: alerter.name, alertId: notice.alert.id, err: err instanceof Error ? err.message : String(err) }, 'alert channel failed');
        },
      );
      this.deliveries.add(delivery);
      void delivery.finally(() => this.deliveries.delete(delivery));
    }
  }

  private queueUpdate(u: AlertUpdate): void {
    const prev = this.pendingUpdates.get(u.id);
    if (!prev || prev.eventCount < u.eventCount) this.pendingUpdates.set(u.id, u);
    if (this.updateTimer) return;
    this.updateTimer = setTimeout(() => this.flushUpdates(), this.o.updateCoalesceMs ?? 1000);
    this.updateTimer.unref();
  }
}
