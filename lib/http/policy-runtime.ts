/**
 * The one runtime behind both forms: wp.secureAuth() / wp.secureAssessment() (middleware)
 * and @SecureAuth() / @SecureAssessment() (decorators that wrap the handler). The suite is
 * found at request time: the instance named in the options, else the one wp.middleware()
 * registered on the app. With none, it fails closed with an error saying what to mount.
 * Each (suite, policy) pair builds its guard once.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AssessmentPolicy, AuthPolicy } from '../config/policies';
import { SetupError } from '../core/errors';
import { createAssessmentGuard } from './assessment-guard';
import { checkParams } from './injection-guard';
import { createLoginGuard } from './login-guard';
import { INSTANCE_SUITE, SUITE_KEY, type HttpSuite } from './suite';

/** A parsed policy of either kind. */
export type Policy = AuthPolicy | AssessmentPolicy;

type Guard = (req: Request, res: Response, next: NextFunction) => Promise<void>;

const guards = new WeakMap<HttpSuite, Map<Policy, Guard>>();

function guardFor(suite: HttpSuite, policy: Policy): Guard {
  let bySuite = guards.get(suite);
  if (!bySuite) {
    bySuite = new Map();
    guards.set(suite, bySuite);
  }
  let guard = bySuite.get(policy);
  if (!guard) {
    guard = (policy.kind === 'auth' ? createLoginGuard(suite, policy) : createAssessmentGuard(suite, policy)) as Guard;
    bySuite.set(policy, guard);
  }
  return guard;
}

/** The suite for a request: the named instance, else the app's. */
export function suiteFor(req: Request, policy: Policy): HttpSuite | undefined {
  if (policy.instance !== undefined) {
    const named = (policy.instance as Record<symbol, unknown> | null)?.[INSTANCE_SUITE] as HttpSuite | undefined;
    if (named) return named;
  }
  const locals = req.app?.locals as Record<symbol, unknown> | undefined;
  return locals?.[SUITE_KEY] as HttpSuite | undefined;
}

function notInstalled(policy: Policy): SetupError {
  return new SetupError(
    'ERR_WATCHPOST_SUITE_NOT_INSTALLED',
    `${policy.where}: no watchpost suite is mounted on this app, so the request was refused. Call app.use(wp.middleware()) before this route (or pass { instance: wp } in the options).`,
  );
}

/** Runs the policy's guard; `next` continues to the handler (or receives an error). */
export function runPolicy(policy: Policy, req: Request, res: Response, next: NextFunction): void {
  const suite = suiteFor(req, policy);
  if (!suite) {
    next(notInstalled(policy));
    return;
  }
  if (!checkParams(suite, req, res)) return;
  guardFor(suite, policy)(req, res, next).catch((err: unknown) => next(err));
}

/** The function form: a middleware to put before the handler. */
export function policyMiddleware(policy: Policy): RequestHandler {
  return function watchpostPolicyMiddleware(req: Request, res: Response, next: NextFunction): void {
    runPolicy(policy, req, res, next);
  };
}

/**
 * Wraps a handler so that the policy's guard runs first. `this` passes through, so a
 * method mounted as `router.post('/login', ctrl.login)` is still protected.
 */
export function guardHandler<H extends (...args: never[]) => unknown>(handler: H, policy: Policy): H {
  const guarded = function watchpostGuardedHandler(this: unknown, req: Request, res: Response, next?: NextFunction): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const fail = (err: unknown) => {
        if (typeof next === 'function') {
          next(err);
          resolve(undefined);
        } else reject(err);
      };
      // Settles when the guard answered on its own (a refusal), so nothing waits forever.
      res.once('finish', () => resolve(undefined));
      runPolicy(policy, req, res, (err?: unknown) => {
        if (err) {
          fail(err);
          return;
        }
        try {
          resolve((handler as unknown as (...a: unknown[]) => unknown).call(this, req, res, next));
        } catch (e) {
          reject(e);
        }
      });
    });
  };
  return guarded as unknown as H;
}
