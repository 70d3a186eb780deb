/**
 * What of a request gets scanned, as plain data: query (keys and values), body, cookies,
 * the path, User-Agent and Referer. Secret fields (passwords, tokens) are left out: they
 * are never interpolated by a sane app, may legitimately contain any character, and must
 * never appear in an event snippet.
 */
import type { Request } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { isSecretKey } from '../core/sanitize';
import type { InjectionScanner } from '../core/ports';
import type { ScanInput, ScanVerdict } from '../core/types';

const CLEAN: ScanVerdict = Object.freeze({ attack: false, score: 0, kinds: Object.freeze([]), findings: Object.freeze([]) });

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

/**
 * Scans everything of a request the app will read, in one detector call (one set of caps for
 * the whole request). Secret fields are skipped by the detector (`skipValuesOf`), secret
 * cookies here. `path` and `headers` are the request's, read once by the caller.
 */
export function scanRequest(scanner: InjectionScanner, req: Request, path: string, headers: IncomingHttpHeaders): ScanVerdict {
  const inputs: ScanInput[] = [];
  const query = req.query as unknown;
  if (query && typeof query === 'object' && Object.keys(query).length > 0) inputs.push({ location: 'query', path: '', value: query });
  const body = req.body as unknown;
  if (typeof body === 'string' ? body.length > 0 : body !== undefined && body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
    inputs.push({ location: 'body', path: '', value: body });
  }
  if (path.length > 1) inputs.push({ location: 'path', path: 'path', value: path });
  for (const [name, value] of parseCookies(headers.cookie)) {
    if (!isSecretKey(name) && value.length > 0) inputs.push({ location: 'cookie', path: name, value });
  }
  const ua = headers['user-agent'];
  if (typeof ua === 'string' && ua.length > 0) inputs.push({ location: 'user_agent', path: 'user-agent', value: ua });
  const referer = headers.referer;
  if (typeof referer === 'string' && referer.length > 0) inputs.push({ location: 'referer', path: 'referer', value: referer });
  return inputs.length === 0 ? CLEAN : scanner.scanInputs(inputs);
}
