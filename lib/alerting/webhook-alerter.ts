/** Webhook and Slack alert channels: one POST per alert notice, bounded by a timeout. */
import type { AlertNotice, Alerter } from '../core/ports';
import { alertText } from './alert-text';

async function post(url: string, body: unknown, timeoutMs: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'watchpost' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`webhook answered ${res.status}`);
}

/** POSTs `{ alert, block, sample, subject, text }` as JSON. */
export class WebhookAlerter implements Alerter {
  readonly name = 'webhook';
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async send(notice: AlertNotice): Promise<void> {
    const { subject, text } = alertText(notice);
    await post(this.url, { subject, text, alert: notice.alert, block: notice.block ?? null, suppressed: notice.suppressed ?? 0, sample: notice.sample }, this.timeoutMs);
  }
}

/** Posts the alert text to a Slack incoming webhook. */
export class SlackAlerter implements Alerter {
  readonly name = 'slack';
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5000,
  ) {}

  async send(notice: AlertNotice): Promise<void> {
    const { subject, text } = alertText(notice);
    await post(this.url, { text: `*${subject}*\n\`\`\`${text}\`\`\`` }, this.timeoutMs);
  }
}
