/**
 * wp.middleware(): mounted with app.use() after the body parser. In order:
 * request identity -> exempt paths (health, metrics) -> deny list -> blocked IPs (403 +
 * Retry-After, aggregated events) -> security headers (helmet) -> rate limit
 * (express-rate-limit over the shared store) -> injection scanning (block or monitor).
 * Every rejection of an async step goes to next(err), and next is called at most once.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import helmet from 'helmet';
import { blockKeyOf } from '../core/engine';
import { StoreError } from '../core/errors';
import { EventAggregator } from './event-aggregator';
import { injectionEvents, modeFor } from './injection-guard';
import { createLimiter } from './rate-limit';
import { identify, isExempt, type AddressMemo, type IdentityWarnings } from './request-identity';
import { scanRequest } from './request-snapshot';
import { refuse } from './responder';
import { SUITE_KEY, type HttpSuite, type RequestContext } from './suite';

/** A request as watchpost sees it. */
export type WatchpostRequest = Request & { watchpost?: RequestContext; _body?: boolean };

/** Options of wp.middleware(). */
export interface MiddlewareOptions {
  /** Bodies no parser took (JSON sent as text/plain, XML, …): `scan` (read, scan, parse), `reject` (415) or `ignore`. Defaults to `scan`. */
  readonly unparsedBodies?: 'scan' | 'reject' | 'ignore';
  /** Largest unparsed body read for scanning, in bytes. Defaults to `1048576`. */
  readonly maxUnparsedBodyBytes?: number;
}

/** The middleware plus what the suite's close() needs. */
export interface WatchpostMiddleware extends RequestHandler {
  /** Emits aggregated events now (on close). */
  flush(): void;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const len = headers['content-length'];
  return (len !== undefined && len !== '0') || headers['transfer-encoding'] !== undefined;
}

async function readRaw(req: Request, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Creates wp.middleware(). */
export function createMiddleware(suite: HttpSuite, options: MiddlewareOptions = {}): WatchpostMiddleware {
  const cfg = suite.config;
  const warned: IdentityWarnings = { trustProxy: false, forwardedFor: false };
  const addresses: AddressMemo = new Map();
  const aggregate = new EventAggregator((e) => suite.logEvent(e), 60_000);
  const securityHeaders = cfg.securityHeaders === false ? undefined : helmet(cfg.securityHeaders as Parameters<typeof helmet>[0]);
  const limiter = cfg.enableRateLimiting
    ? createLimiter(suite, { limit: cfg.rateLimit.limit, windowMs: cfg.rateLimit.windowMs, name: 'global', skip: (req) => Boolean((req as WatchpostRequest).watchpost?.allowListed) })
    : undefined;
  const unparsed = options.unparsedBodies ?? 'scan';
  const maxUnparsed = options.maxUnparsedBodyBytes ?? 1_048_576;

  const onBadAddress = (raw: string, fallback: string) => {
    aggregate.add(`bad-address:${fallback}`, () => ({ type: 'MALFORMED_REQUEST', ip: fallback, details: { reason: 'unparseable client address', address: raw.slice(0, 100) } }), suite.clock.now());
  };

  const refuseBlocked = (req: WatchpostRequest, res: Response, ctx: RequestContext, reason: string, retryAfterMs?: number) => {
    suite.metrics.blockedRequest(reason === 'deny_list' ? 'ip_filter' : 'ip_block');
    aggregate.add(`${reason}:${ctx.ipKey}`, () => ({ type: 'BLOCKED_REQUEST', ip: ctx.ip, request: req, details: { reason } }), suite.clock.now());
    refuse(res, 403, reason === 'deny_list' ? 'denied' : 'blocked', ctx.requestId, retryAfterMs);
  };

  /** Runs the guards; resolves true when the request may go on. */
  async function guard(req: WatchpostRequest, res: Response, ctx: RequestContext, path: string, headers: IncomingHttpHeaders): Promise<boolean> {
    if (suite.deny.has(ctx.ip)) {
      refuseBlocked(req, res, ctx, 'deny_list');
      return false;
    }
    if (!ctx.allowListed) {
      // One store read; its latency shows in the store's own metrics, not a histogram here.
      let until: Date | undefined;
      try {
        until = await suite.store.blockedUntil(blockKeyOf(ctx.ipKey));
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        if (cfg.onStoreError === 'fail-closed') {
          refuse(res, 503, 'store_unavailable', ctx.requestId, 5000);
          return false;
        }
      }
      if (until) {
        refuseBlocked(req, res, ctx, 'ip_blocked', until.getTime() - suite.clock.now());
        return false;
      }
    }
    if (securityHeaders) {
      // helmet sets its headers and calls next at once: no promise needed unless it defers.
      let outcome: { err?: unknown } | undefined;
      let settle: ((err?: unknown) => void) | undefined;
      securityHeaders(req, res, (err?: unknown) => {
        if (settle) settle(err);
        else outcome = { err };
      });
      outcome ??= await new Promise<{ err?: unknown }>((resolve) => {
        settle = (err?: unknown) => resolve({ err });
      });
      if (outcome.err) throw outcome.err;
    }
    if (limiter && !ctx.allowListed) {
      let passed = false;
      let failure: unknown;
      await limiter(req, res, (err?: unknown) => {
        if (err) failure = err;
        else passed = true;
      });
      if (failure) {
        if (cfg.onStoreError === 'fail-closed' && !res.headersSent) {
          refuse(res, 503, 'store_unavailable', ctx.requestId, 5000);
          return false;
        }
        throw failure;
      }
      if (!passed) return false;
    }
    const mode = modeFor(path, cfg.injection.mode, cfg.injection.routes);
    if (mode === 'off') return true;
    if (req.body === undefined && unparsed !== 'ignore' && hasBody(headers) && !/^multipart\//i.test(headers['content-type'] ?? '')) {
      if (unparsed === 'reject') {
        suite.logEvent({ type: 'MALFORMED_REQUEST', ip: ctx.ip, request: req, details: { reason: 'unparsed body', contentType: String(headers['content-type'] ?? '').slice(0, 100) } });
        refuse(res, 415, 'unsupported_media_type', ctx.requestId);
        return false;
      }
      const raw = await readRaw(req, maxUnparsed);
      if (raw === undefined) {
        suite.logEvent({ type: 'MALFORMED_REQUEST', ip: ctx.ip, request: req, details: { reason: 'unparsed body over limit', limitBytes: maxUnparsed } });
        refuse(res, 413, 'payload_too_large', ctx.requestId);
        return false;
      }
      // Hand the app what a parser would have: JSON when it is JSON, else the text.
      let parsed: unknown = raw;
      if (/^\s*[[{]/.test(raw)) {
        try {
          parsed = JSON.parse(raw);
        } catch {
          parsed = raw;
        }
      }
      req.body = parsed;
      req._body = true;
    }
    const stop = suite.metrics.startCheckTimer('injection');
    const verdict = scanRequest(suite.scanner, req, path, headers);
    stop();
    ctx.injection = verdict;
    if (verdict.attack) {
      for (const e of injectionEvents(verdict, req, ctx, mode)) suite.logEvent(e);
      if (mode === 'block') {
        suite.metrics.blockedRequest('injection');
        refuse(res, 403, 'request_refused', ctx.requestId);
        return false;
      }
    } else if (verdict.incomplete) {
      suite.logEvent({ type: 'SCAN_INCOMPLETE', ip: ctx.ip, request: req, details: { reason: verdict.incomplete.reason, path: verdict.incomplete.path, policy: cfg.injection.onIncomplete } });
      if (cfg.injection.onIncomplete === 'block' && mode === 'block') {
        suite.metrics.blockedRequest('injection');
        refuse(res, 413, 'scan_incomplete', ctx.requestId);
        return false;
      }
    }
    return true;
  }

  const middleware = function watchpostMiddleware(req: WatchpostRequest, res: Response, next: NextFunction): void {
    if (typeof next !== 'function') {
      throw new TypeError('watchpost: the middleware must be mounted with app.use(wp.middleware()).');
    }
    // Every read of a property of Express's req and res is a slow lookup (each request's
    // objects get a hidden class of their own): app, headers and path are read once here.
    const app = req.app;
    const locals = app.locals as Record<symbol, unknown>;
    if (locals[SUITE_KEY] !== suite) locals[SUITE_KEY] = suite;
    const headers = req.headers;
    let ctx: RequestContext;
    try {
      ctx = identify(suite, req, res, headers, app, warned, onBadAddress, addresses);
    } catch (err) {
      next(err);
      return;
    }
    req.watchpost = ctx;
    // (req.path also parses the URL on every read.)
    const path = req.path;
    if (isExempt(path, cfg.exemptPaths)) {
      next();
      return;
    }
    guard(req, res, ctx, path, headers).then(
      (goOn) => {
        if (goOn) next();
      },
      (err: unknown) => next(err),
    );
  } as WatchpostMiddleware;
  middleware.flush = () => aggregate.flushAll();
  return middleware;
}
