/**
 * Seed 002's threshold table as data: which event types each rule counts, per IP and/or
 * per user, within which window, at what severity, and whether crossing it blocks the IP.
 */
import type { RuleId, WatchpostConfig } from '../config/options';
import type { SecurityEventType, Severity } from './types';

/** One threshold rule. */
export interface ThresholdRule {
  readonly id: RuleId;
  readonly eventTypes: readonly SecurityEventType[];
  readonly threshold: number;
  readonly windowMs: number;
  /** Severity of the alert raised when the rule is crossed. */
  readonly severity: Severity;
  readonly perIp: boolean;
  readonly perUser: boolean;
  /** Crossing it blocks the IP (with ENABLE_IP_BLOCKING). */
  readonly blocksIp: boolean;
}

const TABLE: ReadonlyArray<Omit<ThresholdRule, 'threshold' | 'windowMs' | 'blocksIp'>> = [
  { id: 'failed_logins', eventTypes: ['AUTH_FAILURE'], severity: 'WARNING', perIp: true, perUser: true },
  {
    id: 'injection_attempts',
    eventTypes: ['SQL_INJECTION_ATTEMPT', 'XSS_ATTEMPT', 'COMMAND_INJECTION_ATTEMPT', 'PATH_TRAVERSAL_ATTEMPT', 'NOSQL_INJECTION_ATTEMPT', 'SSJS_INJECTION_ATTEMPT', 'PROTOTYPE_POLLUTION_ATTEMPT'],
    severity: 'CRITICAL',
    perIp: true,
    perUser: true,
  },
  { id: 'rate_limit_violations', eventTypes: ['RATE_LIMIT_EXCEEDED'], severity: 'WARNING', perIp: true, perUser: false },
  { id: 'assessment_anomalies', eventTypes: ['ASSESSMENT_ANOMALY'], severity: 'WARNING', perIp: false, perUser: true },
  { id: 'suspicious_activities', eventTypes: ['SUSPICIOUS_ACTIVITY', 'DATA_ACCESS_VIOLATION', 'SESSION_HIJACKING', 'SCAN_INCOMPLETE', 'MALFORMED_REQUEST'], severity: 'WARNING', perIp: true, perUser: true },
  { id: 'brute_force_attempts', eventTypes: ['BRUTE_FORCE_ATTEMPT'], severity: 'CRITICAL', perIp: true, perUser: true },
];

/** The rules with the configured counts, windows and blocking choices. */
export function buildRules(config: Pick<WatchpostConfig, 'thresholds' | 'ipBlock' | 'enableIpBlocking'>): ThresholdRule[] {
  return TABLE.map((r) => ({
    ...r,
    threshold: config.thresholds[r.id].threshold,
    windowMs: config.thresholds[r.id].windowMs,
    blocksIp: config.enableIpBlocking && config.ipBlock.rules.includes(r.id),
  }));
}

/** The rules that count each event type. */
export function rulesByEventType(rules: readonly ThresholdRule[]): ReadonlyMap<SecurityEventType, readonly ThresholdRule[]> {
  const map = new Map<SecurityEventType, ThresholdRule[]>();
  for (const rule of rules) {
    for (const type of rule.eventTypes) {
      const list = map.get(type) ?? [];
      list.push(rule);
      map.set(type, list);
    }
  }
  return map;
}
