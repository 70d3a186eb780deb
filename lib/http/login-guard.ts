/**
 * The login guard behind @SecureAuth and wp.secureAuth(). Before the handler: refuse with
 * 429 + Retry-After while the IP+username is hard-locked or the account is briefly locked.
 * After the handler has answered, by its status: a success resets the consecutive failures;
 * a failure is counted per IP, per normalised username and per IP+username, and may lock
 * (IP+username: long; account: short, growing gently) or reveal a pattern: credential
 * stuffing or password spraying (one IP, many accounts), or a distributed brute force (one
 * account, many IPs). The password is never read.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AuthPolicy } from '../config/policies';
import { StoreError } from '../core/errors';
import { normalizeUser } from '../core/identity';
import { accountLockMs, loginOutcome, manyAccountsPattern } from '../detection/login-failures';
import { middlewareMissing, refuse } from './responder';
import type { HttpSuite, RequestContext } from './suite';

type Req = Request & { watchpost?: RequestContext };

/** Reads the username by the policy; undefined when absent or not a usable string. */
export function usernameOf(policy: AuthPolicy, req: Req): string | undefined {
  let raw: unknown;
  if (policy.getUsername) raw = policy.getUsername(req);
  else {
    const body = req.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object') {
      for (const f of policy.usernameFields) {
        if (typeof body[f] === 'string' && (body[f] as string).trim() !== '') {
          raw = body[f];
          break;
        }
      }
    }
  }
  if (typeof raw === 'number') raw = String(raw);
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  return raw.slice(0, 320);
}

/** Store keys of one client's login counters (made when an attempt's outcome is known). */
function ipKeys(ipKey: string) {
  return { ip: `login:ip:${ipKey}`, ipDistinct: `login:ip-users:${ipKey}` };
}

/** Store keys of one (client, account) attempt's counters (made when its outcome is known). */
function accountKeys(ipKey: string, user: string) {
  return {
    ipUser: `login:ip-user:${ipKey}|${user}`,
    user: `login:user:${user}`,
    userDistinct: `login:user-ips:${user}`,
    accountOffences: `login:account-offences:${user}`,
  };
}

/** The two lock keys, read before every attempt (a username is needed for either). */
function hardLockKey(ipKey: string, user: string): string {
  return `login:lock:${ipKey}|${user}`;
}
function accountLockKey(user: string): string {
  return `login:account-lock:${user}`;
}

/** The guard middleware for one policy. */
export function createLoginGuard(suite: HttpSuite, policy: AuthPolicy) {
  const cfg = suite.config;
  const windowMs = cfg.thresholds.failed_logins.windowMs;
  const threshold = cfg.thresholds.failed_logins.threshold;
  const accountWindowMs = windowMs * 3;

  async function onFailure(req: Req, ctx: RequestContext, rawUser: string | undefined, user: string | undefined): Promise<void> {
    const store = suite.store;
    suite.logEvent({ type: 'AUTH_FAILURE', ip: ctx.ip, userIdentifier: rawUser ?? null, request: req, details: { guard: policy.where } });
    const i = ipKeys(ctx.ipKey);
    const fromIp = (await store.increment(i.ip, windowMs)).count;
    if (user !== undefined) {
      const k = accountKeys(ctx.ipKey, user);
      const [pair, account] = await Promise.all([store.increment(k.ipUser, windowMs), store.increment(k.user, accountWindowMs)]);
      if (pair.count === 1) {
        // A new (IP, account) pair: one more account failing from this IP, one more IP failing on this account.
        const [users, ips] = await Promise.all([store.increment(i.ipDistinct, windowMs), store.increment(k.userDistinct, accountWindowMs)]);
        if (users.count >= cfg.login.distinctUsersThreshold && (await store.claim(`login:pattern:ip:${ctx.ipKey}`, '1', windowMs)) === undefined) {
          suite.logEvent({ type: 'BRUTE_FORCE_ATTEMPT', ip: ctx.ip, request: req, details: { pattern: manyAccountsPattern(fromIp, users.count), distinctUsers: users.count, failures: fromIp, windowSeconds: windowMs / 1000 } });
        }
        if (ips.count >= cfg.login.distinctIpsThreshold && (await store.claim(`login:pattern:user:${user}`, '1', accountWindowMs)) === undefined) {
          suite.logEvent({ type: 'BRUTE_FORCE_ATTEMPT', ip: ctx.ip, userIdentifier: rawUser, request: req, details: { pattern: 'distributed_brute_force', distinctIps: ips.count, windowSeconds: accountWindowMs / 1000 } });
        }
      }
      const hardLock = hardLockKey(ctx.ipKey, user);
      if (pair.count >= threshold && !(await store.blockedUntil(hardLock))) {
        await store.block(hardLock, cfg.login.lockMs);
        suite.logEvent({ type: 'ACCOUNT_LOCKED', ip: ctx.ip, userIdentifier: rawUser, request: req, details: { scope: 'ip+username', failures: pair.count, durationMs: cfg.login.lockMs } });
      }
      const accountLock = accountLockKey(user);
      if (account.count >= cfg.login.accountThreshold && !(await store.blockedUntil(accountLock))) {
        const offence = (await store.increment(k.accountOffences, 86_400_000)).count;
        const duration = accountLockMs(offence, cfg.login.accountLockMs);
        await store.block(accountLock, duration);
        suite.logEvent({ type: 'ACCOUNT_LOCKED', ip: ctx.ip, userIdentifier: rawUser, request: req, details: { scope: 'account', failures: account.count, durationMs: duration, offence } });
      }
    }
  }

  async function onSuccess(req: Req, ctx: RequestContext, rawUser: string | undefined, user: string | undefined): Promise<void> {
    suite.logEvent({ type: 'AUTH_SUCCESS', ip: ctx.ip, userIdentifier: rawUser ?? null, request: req, details: { guard: policy.where } });
    if (user === undefined) return;
    const k = accountKeys(ctx.ipKey, user);
    await Promise.all([suite.store.reset(k.ipUser), suite.store.reset(k.user)]);
  }

  return async function loginGuard(req: Req, res: Response, next: NextFunction): Promise<void> {
    const ctx = req.watchpost;
    if (!ctx) {
      next(middlewareMissing(policy.where));
      return;
    }
    const rawUser = usernameOf(policy, req);
    const user = rawUser === undefined ? undefined : normalizeUser(rawUser);
    if (user !== undefined) {
      let hard: Date | undefined;
      let account: Date | undefined;
      try {
        [hard, account] = await Promise.all([suite.store.blockedUntil(hardLockKey(ctx.ipKey, user)), suite.store.blockedUntil(accountLockKey(user))]);
      } catch (err) {
        if (!(err instanceof StoreError)) throw err;
        // The store policy decides: fail-closed answers 503, fail-open lets the login through.
        if (cfg.onStoreError === 'fail-closed') {
          refuse(res, 503, 'store_unavailable', ctx.requestId, 5000);
          return;
        }
      }
      const until = hard && account ? (hard > account ? hard : account) : (hard ?? account);
      if (until) {
        suite.metrics.blockedRequest('login');
        refuse(res, 429, 'login_locked', ctx.requestId, until.getTime() - suite.clock.now());
        return;
      }
    }
    res.once('finish', () => {
      const outcome = loginOutcome(res.statusCode, policy.failureStatuses);
      const work = outcome === 'failure' ? onFailure(req, ctx, rawUser, user) : outcome === 'success' ? onSuccess(req, ctx, rawUser, user) : undefined;
      work?.catch((err: unknown) => suite.logger.error({ event: 'login_guard_failed', err: err instanceof Error ? err.message : String(err) }, 'could not record a login outcome'));
    });
    next();
  };
}
