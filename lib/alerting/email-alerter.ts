/** The e-mail alert channel (nodemailer over SMTP), with bounded timeouts. */
import nodemailer from 'nodemailer';
import type { AlertNotice, Alerter } from '../core/ports';
import { alertText } from './alert-text';

/** SMTP settings of the channel. */
export interface EmailAlerterOptions {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly from: string;
  readonly to: readonly string[];
  /** Longest wait for each SMTP step, in ms. Defaults to `10000`. */
  readonly timeoutMs?: number;
  /** Accept self-signed certificates (tests, internal relays). Defaults to `false`. */
  readonly dangerouslyAllowInvalidCertificates?: boolean;
}

/** Sends one e-mail per alert notice. */
export class EmailAlerter implements Alerter {
  readonly name = 'email';
  private readonly transport: nodemailer.Transporter;

  constructor(private readonly o: EmailAlerterOptions) {
    const timeout = o.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: o.secure,
      auth: o.username ? { user: o.username, pass: o.password ?? '' } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      tls: o.dangerouslyAllowInvalidCertificates ? { rejectUnauthorized: false } : undefined,
    });
  }

  async send(notice: AlertNotice): Promise<void> {
    const { subject, text } = alertText(notice);
    await this.transport.sendMail({ from: this.o.from, to: [...this.o.to], subject, text });
  }

  close(): void {
    this.transport.close();
  }
}
