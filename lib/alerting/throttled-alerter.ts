/**
 * Caps the notifications one channel sends per minute. Alerts are already deduplicated
 * per rule, key and window; this guards against many distinct keys at once (a distributed
 * attack). Held-back notices are counted and the count goes out with the next notice sent;
 * every alert stays in security_alerts and in the log.
 */
import type { AlertNotice, Alerter } from '../core/ports';

export class ThrottledAlerter implements Alerter {
  readonly name: string;
  private windowStart = 0;
  private sentInWindow = 0;
  private heldBack = 0;

  constructor(
    private readonly inner: Alerter,
    private readonly maxPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.name = inner.name;
  }

  /** Notices held back since the last one sent. */
  get suppressed(): number {
    return this.heldBack;
  }

  async send(notice: AlertNotice): Promise<void | 'held'> {
    const t = this.now();
    if (t - this.windowStart >= 60_000) {
      this.windowStart = t;
      this.sentInWindow = 0;
    }
    if (this.sentInWindow >= this.maxPerMinute) {
      this.heldBack += 1;
      return 'held';
    }
    this.sentInWindow += 1;
    const suppressed = this.heldBack;
    this.heldBack = 0;
    await this.inner.send(suppressed > 0 ? { ...notice, suppressed } : notice);
  }
}
