/** The always-on alert channel: one structured log line per new alert. */
import type { AlertNotice, Alerter, Logger } from '../core/ports';

/** Writes each alert to the security log. */
export class LogAlerter implements Alerter {
  readonly name = 'log';
  constructor(private readonly logger: Logger) {}

  async send(notice: AlertNotice): Promise<void> {
    const a = notice.alert;
    this.logger.warn(
      {
        event: 'security_alert',
        alertId: a.id,
        rule: a.rule,
        keyType: a.keyType,
        key: a.alertKey,
        count: a.eventCount,
        threshold: a.threshold,
        windowSeconds: a.windowSeconds,
        severity: a.severity,
        blockedUntil: notice.block?.until.toISOString(),
      },
      `alert: ${a.rule} threshold crossed`,
    );
  }
}
