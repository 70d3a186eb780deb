/**
 * Injection scanning of a request, and the response: block (403) or monitor (log only),
 * globally or per route. Each attack class found is one typed event carrying where it was
 * found and a short, capped snippet.
 */
import type { NextFunction, Request, Response } from 'express';
import type { InjectionMode } from '../config/options';
import type { SecurityEventInput } from '../core/monitor';
import type { AttackKind, ScanVerdict, SecurityEventType } from '../core/types';
import { refuse } from './responder';
import type { HttpSuite, RequestContext } from './suite';

/** The event type of each attack class. */
export const EVENT_OF_KIND: Readonly<Record<AttackKind, SecurityEventType>> = {
  sqli: 'SQL_INJECTION_ATTEMPT',
  xss: 'XSS_ATTEMPT',
  cmdi: 'COMMAND_INJECTION_ATTEMPT',
  path: 'PATH_TRAVERSAL_ATTEMPT',
  nosqli: 'NOSQL_INJECTION_ATTEMPT',
  ssjs: 'SSJS_INJECTION_ATTEMPT',
  proto: 'PROTOTYPE_POLLUTION_ATTEMPT',
};

/** The mode for a path: the first matching per-route entry, else the global mode. */
export function modeFor(path: string, global: InjectionMode, routes: ReadonlyArray<{ readonly path: string | RegExp; readonly mode: InjectionMode | 'off' }>): InjectionMode | 'off' {
  for (const r of routes) {
    if (typeof r.path === 'string' ? path === r.path || path.startsWith(r.path.endsWith('/') ? r.path : `${r.path}/`) : r.path.test(path)) return r.mode;
  }
  return global;
}

/** The events a verdict produces: one per attack class, with up to five findings each. */
export function injectionEvents(verdict: ScanVerdict, req: Request, ctx: RequestContext, mode: InjectionMode): SecurityEventInput[] {
  const out: SecurityEventInput[] = [];
  for (const kind of verdict.kinds) {
    const findings = verdict.findings.filter((f) => f.kind === kind).slice(0, 5);
    if (findings.length === 0) continue;
    out.push({
      type: EVENT_OF_KIND[kind],
      ip: ctx.ip,
      request: req,
      details: {
        mode,
        blocked: mode === 'block',
        score: verdict.score,
        findings: findings.map((f) => ({ location: f.location, path: f.path, ruleId: f.ruleId, score: f.score, snippet: f.snippet.slice(0, 120) })),
      },
    });
  }
  return out;
}

/**
 * Scans Express route params, which the app-level middleware cannot see (routing has not
 * happened yet). Run by wp.scanParams() and by the @SecureAuth/@SecureAssessment guards.
 * Returns false when the request was refused.
 */
export function checkParams(suite: HttpSuite, req: Request & { watchpost?: RequestContext }, res: Response): boolean {
  const ctx = req.watchpost;
  const params = req.params as Record<string, unknown> | undefined;
  if (!ctx || !params || Object.keys(params).length === 0) return true;
  const mode = modeFor(req.path, suite.config.injection.mode, suite.config.injection.routes);
  if (mode === 'off') return true;
  const verdict = suite.scanner.scanObject(params, 'param');
  if (!verdict.attack) return true;
  for (const e of injectionEvents(verdict, req, ctx, mode)) suite.logEvent(e);
  if (mode !== 'block') return true;
  suite.metrics.blockedRequest('injection');
  refuse(res, 403, 'request_refused', ctx.requestId);
  return false;
}

/** wp.scanParams(): put on routes with params (`/files/:name`) to scan them too. */
export function createParamsGuard(suite: HttpSuite) {
  return function watchpostParamsGuard(req: Request, res: Response, next: NextFunction): void {
    if (checkParams(suite, req, res)) next();
  };
}
