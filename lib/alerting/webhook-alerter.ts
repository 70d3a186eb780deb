/** Webhook and Slack alert channels: one POST per alert notice, bounded by a timeout. */
import type { AlertNotice, Alerter } from '../core/ports';
import { alertText } from './alert-text';

/** The JSON body a channel posts for a notice. */
type Payload = (notice: AlertNotice, text: { subject: string; text: string }) => unknown;

/** A generic webhook: `{ subject, text, alert, block, sample, suppressed }`. */
const webhookPayload: Payload = (n, t) => ({ ...t, alert: n.alert, block: n.block ?? null, suppressed: n.suppressed ?? 0, sample: n.sample });

/** A Slack incoming webhook: the subject in bold and the text in a code block. */
const slackPayload: Payload = (_n, t) => ({ text: `*${t.subject}*\n\`\`\`${t.text}\`\`\`` });

/** POSTs each notice as JSON to a URL. */
export class WebhookAlerter implements Alerter {
  constructor(
    readonly name: 'webhook' | 'slack',
    private readonly url: string,
    private readonly payload: Payload,
    private readonly timeoutMs = 5000,
  ) {}

  /** A generic JSON webhook channel. */
  static webhook(url: string): WebhookAlerter {
    return new WebhookAlerter('webhook', url, webhookPayload);
  }

  /** A Slack incoming-webhook channel. */
  static slack(url: string): WebhookAlerter {
    return new WebhookAlerter('slack', url, slackPayload);
  }

  async send(notice: AlertNotice): Promise<void> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'watchpost' },
      body: JSON.stringify(this.payload(notice, alertText(notice))),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`${this.name} webhook answered ${res.status}`);
  }
}
