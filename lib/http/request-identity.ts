/**
 * Request identity: a request id (an incoming X-Request-Id when it is sane, else a new
 * time-ordered UUIDv7, so that the events' request_id index appends instead of scattering;
 * echoed back), and the client address from Express's `req.ip`, so that `trust proxy`
 * decides. A spoofed X-Forwarded-For changes nothing while trust proxy is off.
 */
import type { Application, Request, Response } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { newId } from '../core/ids';
import { canonicalIp } from '../core/ip';
import type { HttpSuite, RequestContext } from './suite';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Checks run once per process, logged once each (STYLE.md section 3). */
export interface IdentityWarnings {
  trustProxy: boolean;
  forwardedFor: boolean;
}

/** What an address (as Express gives it) comes to; a pure function of it and the settings. */
interface AddressFacts {
  readonly ip: string;
  readonly ipKey: string;
  readonly allowListed: boolean;
}

/** Most addresses remembered per middleware; the memory is emptied when full. */
const ADDRESS_MEMO_MAX = 10_000;

/** Remembered address facts: clients send request after request from the same address. */
export type AddressMemo = Map<string, AddressFacts>;

/**
 * Builds `req.watchpost`. `headers` and `app` are the request's, read once by the caller:
 * every property read on Express's req and res is a slow lookup (see docs/operations.md).
 */
export function identify(suite: HttpSuite, req: Request, res: Response, headers: IncomingHttpHeaders, app: Application, warned: IdentityWarnings, onBadAddress: (raw: string, fallback: string) => void, memo?: AddressMemo): RequestContext {
  const incoming = headers['x-request-id'];
  const requestId = typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : newId();
  res.setHeader('X-Request-Id', requestId);

  if (!warned.trustProxy && app.get('trust proxy') === true) {
    warned.trustProxy = true;
    suite.logger.warn({ event: 'permissive_trust_proxy', code: 'WRN_WATCHPOST_PERMISSIVE_TRUST_PROXY' }, 'Express trust proxy is true: any client can choose its IP with X-Forwarded-For; set it to the number of proxies or their addresses');
  }
  if (!warned.forwardedFor && headers['x-forwarded-for'] !== undefined && !app.get('trust proxy')) {
    warned.forwardedFor = true;
    suite.logger.warn({ event: 'unexpected_x_forwarded_for', code: 'WRN_WATCHPOST_UNEXPECTED_X_FORWARDED_FOR' }, 'requests carry X-Forwarded-For but trust proxy is off: behind a proxy every client appears as the proxy; set app.set("trust proxy", …)');
  }

  const raw = req.ip;
  const known = raw === undefined ? undefined : memo?.get(raw);
  if (known) return { requestId, ip: known.ip, ipKey: known.ipKey, allowListed: known.allowListed };
  let ip = canonicalIp(raw);
  if (ip === undefined) {
    // An unparseable forwarded address: fall back to the peer, never throw.
    ip = canonicalIp(req.socket?.remoteAddress) ?? '0.0.0.0';
    if (raw !== undefined) onBadAddress(String(raw), ip);
    return { requestId, ip, ipKey: suite.keyOf(ip) ?? ip, allowListed: suite.allow.has(ip) };
  }
  const facts: AddressFacts = { ip, ipKey: suite.keyOf(ip) ?? ip, allowListed: suite.allow.has(ip) };
  if (memo && raw !== undefined && raw.length <= 100) {
    if (memo.size >= ADDRESS_MEMO_MAX) memo.clear();
    memo.set(raw, facts);
  }
  return { requestId, ip, ipKey: facts.ipKey, allowListed: facts.allowListed };
}

/** True when the path starts with one of the exempt prefixes (health, metrics). */
export function isExempt(path: string, prefixes: readonly string[]): boolean {
  for (const p of prefixes) {
    if (path === p || (path.startsWith(p) && (p.endsWith('/') || path.charCodeAt(p.length) === 47))) return true;
  }
  return false;
}
