/**
 * What of a request gets scanned, as plain data: query (keys and values), body, cookies,
 * the path, User-Agent and Referer. Secret fields (passwords, tokens) are left out: they
 * are never interpolated by a sane app, may legitimately contain any character, and must
 * never appear in an event snippet.
 */
import type { Request } from 'express';
import { isSecretKey } from '../core/sanitize';
import type { InjectionScanner } from '../core/ports';
import type { Finding, ScanVerdict } from '../core/types';

const MAX_FINDINGS = 20;

/** A copy of `value` without secret-named fields, made only when there is one. Iterative and capped. */
export function withoutSecrets(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  // First a cheap look for any secret key (bounded); most bodies have none.
  const stack: unknown[] = [value];
  let found = false;
  let visited = 0;
  while (stack.length > 0 && !found && visited < 5000) {
    const v = stack.pop();
    visited += 1;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else for (const k of Object.keys(v)) {
      if (isSecretKey(k)) {
        found = true;
        break;
      }
      stack.push((v as Record<string, unknown>)[k]);
    }
  }
  if (!found) return value;
  const copy = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map((item) => copy(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = isSecretKey(k) ? '' : copy((v as Record<string, unknown>)[k], depth + 1);
    return out;
  };
  return copy(value, 0);
}

/** Cookie name/value pairs from the Cookie header (no dependency; malformed parts skipped). */
export function parseCookies(header: string | undefined): Array<[string, string]> {
  if (!header) return [];
  const out: Array<[string, string]> = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw text: the detector judges undecodable escapes itself
    }
    out.push([name, value]);
    if (out.length >= 100) break;
  }
  return out;
}

/** Merges verdicts: attack if any part is one, highest score, kinds united, findings capped. */
export function mergeVerdicts(verdicts: readonly ScanVerdict[]): ScanVerdict {
  let attack = false;
  let score = 0;
  const kinds = new Set<string>();
  const findings: Finding[] = [];
  let incomplete: ScanVerdict['incomplete'];
  for (const v of verdicts) {
    if (v.attack) attack = true;
    if (v.score > score) score = v.score;
    for (const k of v.kinds) kinds.add(k);
    for (const f of v.findings) if (findings.length < MAX_FINDINGS) findings.push(f);
    if (v.incomplete && !incomplete) incomplete = v.incomplete;
  }
  return { attack, score, kinds: [...kinds] as ScanVerdict['kinds'], findings, ...(incomplete ? { incomplete } : {}) };
}

/** Scans everything of a request the app will read. `params` only where the route is known. */
export function scanRequest(scanner: InjectionScanner, req: Request, options: { readonly params?: boolean } = {}): ScanVerdict {
  const parts: ScanVerdict[] = [];
  const query = req.query as unknown;
  if (query && typeof query === 'object' && Object.keys(query).length > 0) parts.push(scanner.scanObject(query, 'query'));
  const body = req.body as unknown;
  if (typeof body === 'string') {
    if (body.length > 0) parts.push(scanner.scanValue(body, 'body', ''));
  } else if (body !== undefined && body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
    parts.push(scanner.scanObject(withoutSecrets(body), 'body'));
  }
  if (options.params && req.params && Object.keys(req.params).length > 0) parts.push(scanner.scanObject(req.params, 'param'));
  const path = req.path;
  if (path.length > 1) parts.push(scanner.scanValue(path, 'path', 'path'));
  for (const [name, value] of parseCookies(req.headers.cookie)) {
    if (!isSecretKey(name) && value.length > 0) parts.push(scanner.scanValue(value, 'cookie', name));
  }
  const ua = req.headers['user-agent'];
  if (typeof ua === 'string' && ua.length > 0) parts.push(scanner.scanValue(ua, 'user_agent', 'user-agent'));
  const referer = req.headers.referer;
  if (typeof referer === 'string' && referer.length > 0) parts.push(scanner.scanValue(referer, 'referer', 'referer'));
  return mergeVerdicts(parts);
}
