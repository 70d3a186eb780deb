/**
 * What may be written about a request: control characters escaped (one event, one line,
 * CWE-117), long text capped, and secrets (passwords, tokens, cookies, card numbers)
 * replaced before anything reaches a log, a table, an alert or the admin API.
 */

// C0 controls, DEL, C1 controls, line/paragraph separators and bidi overrides/isolates.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces control, separator and bidi characters with a visible `\uXXXX` escape. */
export function escapeControlChars(text: string): string {
  CONTROL_RE.lastIndex = 0;
  if (!CONTROL_RE.test(text)) return text;
  CONTROL_RE.lastIndex = 0;
  return text.replace(CONTROL_RE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Cuts `text` to at most `max` characters in all, saying how much was cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let keep = max;
  // The note's digit count depends on how much is cut: settle it in two passes at most.
  for (let i = 0; i < 3; i += 1) {
    const note = `…[+${text.length - keep} chars]`;
    if (note.length >= max) return text.slice(0, max);
    if (keep + note.length <= max) return `${text.slice(0, keep)}${note}`;
    keep = max - note.length;
  }
  return text.slice(0, max);
}

// Key names that hold secrets. Compared after lower-casing and removing `-`, `_` and spaces.
const SECRET_KEY_PARTS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'authorization', 'cookie', 'session', 'credential', 'privatekey', 'cardnumber', 'ccnumber', 'creditcard', 'cvv', 'cvc', 'securitycode'];
const SECRET_KEY_EXACT = new Set(['pass', 'pwd', 'pw', 'auth', 'pin', 'otp', 'ssn', 'pan', 'sid', 'jwt', 'bearer', 'setcookie']);

// Field names repeat from request to request (q1..q60, username): remember the answers.
const secretKeyMemo = new Map<string, boolean>();
const SECRET_KEY_MEMO_MAX = 10_000;

/** True when a field named `key` holds a secret and its value must never be written. */
export function isSecretKey(key: string): boolean {
  const known = secretKeyMemo.get(key);
  if (known !== undefined) return known;
  const k = key.toLowerCase().replace(/[-_\s.]/g, '');
  let secret = SECRET_KEY_EXACT.has(k);
  if (!secret) for (const part of SECRET_KEY_PARTS) if (k.includes(part)) secret = true;
  if (key.length <= 64) {
    if (secretKeyMemo.size >= SECRET_KEY_MEMO_MAX) secretKeyMemo.clear();
    secretKeyMemo.set(key, secret);
  }
  return secret;
}

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

const JWT_RE = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const AUTH_SCHEME_RE = /\b(Bearer|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
// A `name=value` pair in a query string, form body or cookie header; `isSecretKey` decides.
const PARAM_RE = /([\w.\-[\]]+)=([^&\s#;]*)/g;
// 13 to 19 digits, optionally grouped by single spaces or dashes.
const CARD_RE = /\b\d(?:[ -]?\d){12,18}\b/g;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Keeps the first six and last four digits of a card number (PCI DSS 3.3). */
function maskCard(match: string): string {
  const digits = match.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/** Removes secrets that show up inside free text: JWTs, auth headers, `password=` params, card numbers. */
export function redactSecretsInText(text: string): string {
  let out = text;
  if (out.includes('eyJ')) out = out.replace(JWT_RE, '[REDACTED:jwt]');
  out = out.replace(AUTH_SCHEME_RE, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  if (out.includes('=')) out = out.replace(PARAM_RE, (m, name: string) => (isSecretKey(name) ? `${name}=${REDACTED}` : m));
  if (/\d{4}/.test(out)) out = out.replace(CARD_RE, maskCard);
  return out;
}

/** Caps applied to the `details` of an event. */
export interface DetailLimits {
  readonly maxDepth: number;
  readonly maxKeys: number;
  readonly maxItems: number;
  readonly maxString: number;
}

/** Defaults for event details. */
export const DEFAULT_DETAIL_LIMITS: DetailLimits = { maxDepth: 6, maxKeys: 50, maxItems: 50, maxString: 1000 };

/** A clean copy of one text field: secrets removed, control characters escaped, capped. */
export function cleanText(value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : String(value);
  return capText(escapeControlChars(redactSecretsInText(text)), max);
}

/**
 * A JSON-safe copy of `value` for details: secret keys replaced, secrets in strings
 * removed, control characters escaped, and depth, keys, items and string length capped.
 * Walks iteratively and never throws (cycles, getters that throw, BigInt, Buffers).
 */
export function sanitizeDetails(value: unknown, limits: DetailLimits = DEFAULT_DETAIL_LIMITS): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (value !== undefined) root.value = sanitizeLeaf(value, limits);
    return root;
  }
  const seen = new Set<object>();
  const stack: Array<{ src: object; dst: Record<string, unknown> | unknown[]; depth: number }> = [{ src: value, dst: root, depth: 0 }];
  while (stack.length > 0) {
    const { src, dst, depth } = stack.pop() as { src: object; dst: Record<string, unknown> | unknown[]; depth: number };
    seen.add(src);
    const isArray = Array.isArray(src);
    let keys: string[];
    try {
      keys = isArray ? [] : Object.keys(src);
    } catch {
      continue;
    }
    const entries: Array<[string | number, unknown]> = [];
    if (isArray) {
      const arr = src as unknown[];
      for (let i = 0; i < Math.min(arr.length, limits.maxItems); i += 1) entries.push([i, arr[i]]);
    } else {
      for (const k of keys.slice(0, limits.maxKeys)) {
        let v: unknown;
        try {
          v = (src as Record<string, unknown>)[k];
        } catch {
          v = '[unreadable]';
        }
        entries.push([k, v]);
      }
    }
    for (const [k, v] of entries) {
      const key = typeof k === 'string' ? capText(escapeControlChars(k), 100) : k;
      let out: unknown;
      if (typeof k === 'string' && isSecretKey(k)) out = REDACTED;
      else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Date)) {
        if (seen.has(v)) out = '[circular]';
        else if (depth + 1 >= limits.maxDepth) out = '[too deep]';
        else {
          const child: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
          stack.push({ src: v, dst: child, depth: depth + 1 });
          out = child;
        }
      } else out = sanitizeLeaf(v, limits);
      if (Array.isArray(dst)) dst.push(out);
      else dst[key as string] = out;
    }
    if (isArray && (src as unknown[]).length > limits.maxItems) (dst as unknown[]).push(`[+${(src as unknown[]).length - limits.maxItems} items]`);
    if (!isArray && keys.length > limits.maxKeys) (dst as Record<string, unknown>)['[truncated]'] = `${keys.length - limits.maxKeys} more keys`;
  }
  return root;
}

function sanitizeLeaf(v: unknown, limits: DetailLimits): unknown {
  if (v === undefined) return null;
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return capText(escapeControlChars(redactSecretsInText(v)), limits.maxString);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Buffer.isBuffer(v)) return `[${v.length} bytes]`;
  if (typeof v === 'function' || typeof v === 'symbol') return `[${typeof v}]`;
  return capText(escapeControlChars(String(v)), limits.maxString);
}
