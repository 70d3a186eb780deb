/**
 * The words of an alert, shared by every channel: a subject line and a plain-text body
 * (rule, key, count, window, severity, times, block, a sample event, what to do). Built
 * only from records that core has already sanitised: no secrets, control characters escaped.
 */
import type { AlertNotice } from '../core/ports';

const ADVICE: Readonly<Record<string, string>> = {
  failed_logins: 'Check whether one account or many are targeted (credential stuffing); confirm the block; consider MFA for the accounts involved.',
  injection_attempts: 'Review the sample requests; confirm the targeted endpoints use parameterised queries and output encoding; keep the IP blocked.',
  rate_limit_violations: 'Look for scraping or a misbehaving client; raise the limit only for known clients (IP_ALLOW_LIST).',
  assessment_anomalies: 'Review the flagged submissions of this user in assessment_anomalies before acting; anomalies are evidence, not proof.',
  suspicious_activities: 'Review the events of this key; look for session or data-access abuse.',
  brute_force_attempts: 'A credential attack is under way: check the accounts involved, confirm the blocks and locks, consider forcing password resets.',
};

/** Subject and text of a notice. */
export function alertText(n: AlertNotice): { subject: string; text: string } {
  const a = n.alert;
  const who = a.keyType === 'ip' ? `from ${a.alertKey}` : `for user ${a.alertKey}`;
  const subject = `[watchpost] ${a.severity} ${a.rule}: ${a.eventCount} in ${a.windowSeconds} s ${who}`;
  const lines = [
    `Rule:        ${a.rule} (threshold ${a.threshold} within ${a.windowSeconds} s)`,
    `Key:         ${a.keyType} ${a.alertKey}`,
    `Count:       ${a.eventCount}`,
    `Severity:    ${a.severity}`,
    `First seen:  ${a.firstSeen.toISOString()}`,
    `Last seen:   ${a.lastSeen.toISOString()}`,
    `Alert id:    ${a.id}`,
  ];
  if (n.block) lines.push(`Blocked:     ${n.block.ip} until ${n.block.until.toISOString()} (offence ${n.block.offences})`);
  for (const e of n.sample.slice(0, 3)) {
    lines.push('', `Sample event ${e.id}: ${e.type} (${e.severity}) at ${e.occurredAt.toISOString()}`);
    if (e.sourceIp) lines.push(`  IP:         ${e.sourceIp}`);
    if (e.userIdentifier) lines.push(`  User:       ${e.userIdentifier}`);
    if (e.requestMethod || e.requestPath) lines.push(`  Request:    ${e.requestMethod ?? ''} ${e.requestPath ?? ''}`.trimEnd());
    if (e.userAgent) lines.push(`  User-Agent: ${e.userAgent}`);
    if (e.requestId) lines.push(`  Request id: ${e.requestId}`);
  }
  if (n.suppressed) lines.push('', `${n.suppressed} more alert notification(s) were held back by ALERT_MAX_PER_MINUTE since the last one; they are in security_alerts.`);
  lines.push('', `What to do: ${ADVICE[a.rule] ?? 'Review the events behind this alert.'}`);
  return { subject, text: lines.join('\n') };
}
