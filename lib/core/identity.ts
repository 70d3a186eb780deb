/** Normalising user identifiers so that `Alice`, ` alice` and `ALICE` count as one. */
import { createHash } from 'node:crypto';

/**
 * The counting key of a user identifier: NFKC, trimmed, lower-cased. Long identifiers
 * (over 128 characters) become a SHA-256 digest so that keys stay short.
 */
export function normalizeUser(raw: string): string {
  const s = raw.normalize('NFKC').trim().toLowerCase();
  if (s.length <= 128) return s;
  return `sha256:${createHash('sha256').update(s).digest('hex')}`;
}
