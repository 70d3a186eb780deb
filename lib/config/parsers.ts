/**
 * Value parsers shared by environment variables and createWatchpost() options. Each one
 * throws a ConfigError that names the setting, shows the value and says what is expected.
 */
import { parseCidr } from '../core/cidr';
import { ConfigError } from '../core/errors';
import type { ErrorCode } from './error-codes';

// Every message passes through here, so a URL's password never reaches one.
function fail(code: ErrorCode, name: string, value: unknown, expected: string): never {
  throw new ConfigError(code, `${name}: ${JSON.stringify(typeof value === 'string' ? redactUrl(value) : value)} is not valid. Expected ${expected}.`);
}

/** Levenshtein distance (case-insensitive), for "did you mean" hints on mistyped option names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const keep = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length];
}

/** The error for an option name that does not exist, with the closest known name as a hint. */
export function unknownOption(where: string, shown: string, key: string, known: readonly string[]): ConfigError {
  const best = known.map((k) => ({ k, d: distance(key, k) })).sort((x, y) => x.d - y.d)[0];
  const hint = best && best.d <= 3 ? ` Did you mean \`${best.k}\`?` : ` Known options: ${known.join(', ')}.`;
  return new ConfigError('ERR_WATCHPOST_UNKNOWN_OPTION', `${where}: unknown option ${JSON.stringify(shown)}.${hint}`);
}

/** Parses a number; `integer` and `min`/`max` constrain it. */
export function parseNumber(
  name: string,
  raw: unknown,
  rule: { readonly integer?: boolean; readonly min?: number; readonly max?: number; readonly unit?: string },
): number {
  const expected = describeNumber(rule);
  let value: number;
  if (typeof raw === 'number') value = raw;
  else if (typeof raw === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw)) value = Number(raw);
  else return fail('ERR_WATCHPOST_INVALID_NUMBER', name, raw, expected);
  if (!Number.isFinite(value)) fail('ERR_WATCHPOST_INVALID_NUMBER', name, raw, expected);
  if (rule.integer && !Number.isInteger(value)) fail('ERR_WATCHPOST_INVALID_NUMBER', name, raw, expected);
  if (rule.min !== undefined && value < rule.min) fail('ERR_WATCHPOST_INVALID_NUMBER', name, raw, expected);
  if (rule.max !== undefined && value > rule.max) fail('ERR_WATCHPOST_INVALID_NUMBER', name, raw, expected);
  return value;
}

function describeNumber(rule: { readonly integer?: boolean; readonly min?: number; readonly max?: number; readonly unit?: string }): string {
  const kind = rule.integer ? 'a whole number' : 'a number';
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` >= ${rule.min}`
        : rule.max !== undefined
          ? ` <= ${rule.max}`
          : '';
  return `${kind}${range}${rule.unit ? ` (${rule.unit})` : ''}`;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** Parses `true/false`, `1/0`, `yes/no`, `on/off` (any case), or a boolean option. */
export function parseBoolean(name: string, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return fail('ERR_WATCHPOST_INVALID_BOOLEAN', name, raw, 'true or false (also accepted: 1/0, yes/no, on/off)');
}

/** Parses one of a fixed list of words (case-insensitive); returns the canonical spelling. */
export function parseChoice<T extends string>(name: string, raw: unknown, choices: readonly T[], aliases: Readonly<Record<string, T>> = {}): T {
  if (typeof raw === 'string') {
    const word = raw.trim();
    const hit = choices.find((c) => c.toLowerCase() === word.toLowerCase());
    if (hit) return hit;
    const alias = aliases[word.toLowerCase()];
    if (alias) return alias;
  }
  return fail('ERR_WATCHPOST_INVALID_CHOICE', name, raw, `one of ${choices.join(', ')}`);
}

/** Parses a non-empty string (trimmed). */
export function parseString(name: string, raw: unknown, expected = 'a non-empty string'): string {
  if (typeof raw === 'string' && raw.trim() !== '') return raw.trim();
  return fail('ERR_WATCHPOST_INVALID_OPTION', name, raw, expected);
}

/** Parses a `redis://` or `rediss://` URL with a host. */
export function parseRedisUrl(name: string, raw: unknown): string {
  const expected = 'a Redis URL such as redis://127.0.0.1:6379 or rediss://user:password@host:6380/0';
  if (typeof raw !== 'string') return fail('ERR_WATCHPOST_INVALID_URL', name, raw, expected);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return fail('ERR_WATCHPOST_INVALID_URL', name, raw, expected);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    return fail('ERR_WATCHPOST_INVALID_URL', name, raw, expected);
  }
  return raw.trim();
}

/** A parsed DATABASE_URL. */
export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly path: string; readonly url: string }
  | { readonly kind: 'postgres'; readonly url: string };

/**
 * Parses DATABASE_URL: `postgres://…` / `postgresql://…` for PostgreSQL, `sqlite:PATH` or
 * `sqlite::memory:` for SQLite.
 */
export function parseDatabaseUrl(name: string, raw: unknown): DatabaseTarget {
  const expected = 'postgres://user:password@host:5432/database, sqlite:./data/watchpost.sqlite or sqlite::memory:';
  if (typeof raw !== 'string' || raw.trim() === '') return fail('ERR_WATCHPOST_INVALID_URL', name, raw, expected);
  const value = raw.trim();
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    let path = value.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') return fail('ERR_WATCHPOST_INVALID_URL', name, raw, expected);
    return { kind: 'sqlite', path, url: value };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    try {
      const url = new URL(value);
      if (url.hostname === '' && !url.searchParams.has('host')) throw new Error('no host');
    } catch {
      return fail('ERR_WATCHPOST_INVALID_URL', name, value, expected);
    }
    return { kind: 'postgres', url: value };
  }
  if (scheme === undefined) return fail('ERR_WATCHPOST_INVALID_URL', name, raw, expected);
  throw new ConfigError(
    'ERR_WATCHPOST_UNSUPPORTED_DATABASE',
    `${name}: ${JSON.stringify(redactUrl(value))} names the database "${scheme}", which watchpost does not support. Expected ${expected}.`,
  );
}

/**
 * A comma-separated list (or an array): blanks are skipped, anything that is not a string is
 * refused, and each item is parsed by `item`, which throws on a bad one.
 */
export function parseList<T>(name: string, raw: unknown, code: ErrorCode, expected: string, item: (text: string) => T): T[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
  if (!items) return fail(code, name, raw, expected);
  const out: T[] = [];
  for (const it of items) {
    if (typeof it !== 'string') return fail(code, name, it, expected);
    const text = it.trim();
    if (text !== '') out.push(item(text));
  }
  return out;
}

/** Comma-separated e-mail addresses. */
export function parseEmailList(name: string, raw: unknown): string[] {
  const expected = 'a comma-separated list of e-mail addresses such as security@example.com,ops@example.com';
  return parseList(name, raw, 'ERR_WATCHPOST_INVALID_EMAIL', expected, (address) =>
    /^[^\s@,<>"]+@[^\s@,<>"]+\.[^\s@,<>"]+$/.test(address) ? address : fail('ERR_WATCHPOST_INVALID_EMAIL', name, address, expected),
  );
}

/** Comma-separated words from a fixed list (each once). */
export function parseChoiceList<T extends string>(name: string, raw: unknown, choices: readonly T[]): T[] {
  return [...new Set(parseList(name, raw, 'ERR_WATCHPOST_INVALID_CHOICE', `a comma-separated list of ${choices.join(', ')}`, (word) => parseChoice(name, word, choices)))];
}

/** Comma-separated IP addresses or CIDR ranges. */
export function parseCidrList(name: string, raw: unknown): string[] {
  const expected = 'a comma-separated list of IPs or CIDR ranges such as 10.0.0.0/8,2001:db8::/32';
  return parseList(name, raw, 'ERR_WATCHPOST_INVALID_CIDR', expected, (text) => (parseCidr(text) ? text : fail('ERR_WATCHPOST_INVALID_CIDR', name, text, 'an IP address or a CIDR range such as 203.0.113.0/24 or 2001:db8::/48')));
}

/** Comma-separated URL paths. */
export function parsePathList(name: string, raw: unknown): string[] {
  return parseList(name, raw, 'ERR_WATCHPOST_INVALID_OPTION', 'a comma-separated list of paths such as /health,/metrics', (text) =>
    text.startsWith('/') ? text : fail('ERR_WATCHPOST_INVALID_OPTION', name, text, 'a path starting with /'),
  );
}

/** Hides the password of a URL before it goes into a message. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/, '$1***@');
}

/** Parses an `http://` or `https://` URL. */
export function parseHttpUrl(name: string, raw: unknown): string {
  const expected = 'an http:// or https:// URL such as https://hooks.example.com/watchpost';
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' ? new URL(raw.trim()) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fail('ERR_WATCHPOST_INVALID_URL', name, raw, expected);
  return url.toString();
}
