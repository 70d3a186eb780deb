/**
 * Rate limiting through express-rate-limit, counting in the shared CounterStore (so limits
 * hold across instances). A refusal is a RATE_LIMIT_EXCEEDED event, which feeds the
 * rate_limit_violations threshold (and so, repeated, an IP block).
 */
import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, type Options, type Store, type ClientRateLimitInfo } from 'express-rate-limit';
import type { CounterStore } from '../core/ports';
import { refuse } from './responder';
import type { HttpSuite, RequestContext } from './suite';

/** express-rate-limit Store over a CounterStore. */
export class CounterStoreRateLimitStore implements Store {
  readonly localKeys: boolean;
  readonly prefix: string;
  private windowMs = 60_000;

  constructor(
    private readonly store: CounterStore,
    prefix: string,
  ) {
    this.localKeys = store.localKeys;
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const r = await this.store.get(this.prefix + key, this.windowMs);
    return r ? { totalHits: r.count, resetTime: r.resetAt } : undefined;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const r = await this.store.increment(this.prefix + key, this.windowMs);
    return { totalHits: r.count, resetTime: r.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.store.decrement(this.prefix + key, this.windowMs);
  }

  async resetKey(key: string): Promise<void> {
    await this.store.reset(this.prefix + key);
  }
}

/** Options of one limiter. */
export interface LimiterOptions {
  readonly limit: number;
  readonly windowMs: number;
  /** Separates this limiter's counters from others. */
  readonly name: string;
  /** Requests that never count (exempt paths, allow-listed clients). */
  readonly skip?: (req: Request) => boolean;
}

function throttledLogger(suite: HttpSuite): { error: (e: unknown, m?: string) => void; warn: (e: unknown, m?: string) => void } {
  let last = 0;
  const write = (e: unknown, m?: string) => {
    const now = Date.now();
    if (now - last < 10_000) return;
    last = now;
    suite.logger.error({ event: 'rate_limit_store_error', err: e instanceof Error ? e.message : String(e) }, m ?? 'rate limiter store error');
  };
  return { error: write, warn: write };
}

/** Builds a limiter keyed by the client's ipKey (req.watchpost, set by wp.middleware()). */
export function createLimiter(suite: HttpSuite, o: LimiterOptions): RequestHandler {
  const failOpen = suite.config.onStoreError === 'fail-open';
  return rateLimit({
    windowMs: o.windowMs,
    limit: o.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new CounterStoreRateLimitStore(suite.store, `rl:${o.name}:`),
    passOnStoreError: failOpen,
    // Its store errors go to watchpost's log (once per 10 s), not to the console per request.
    logger: throttledLogger(suite),
    // The key is watchpost's canonical client key (IPv6 by prefix), not ERL's own.
    keyGenerator: (req: Request) => ((req as Request & { watchpost?: RequestContext }).watchpost?.ipKey ?? 'unknown'),
    skip: (req: Request) => (o.skip ? o.skip(req) : false),
    // watchpost warns about trust proxy and keys IPv6 itself.
    validate: { trustProxy: false, xForwardedForHeader: false, keyGeneratorIpFallback: false, ip: false, singleCount: false },
    handler: (req: Request, res: Response) => {
      const ctx = (req as Request & { watchpost?: RequestContext }).watchpost;
      suite.metrics.blockedRequest('rate_limit');
      suite.logEvent({ type: 'RATE_LIMIT_EXCEEDED', ip: ctx?.ip, request: req, details: { limiter: o.name, limit: o.limit, windowMs: o.windowMs } });
      const info = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit;
      const retryMs = info?.resetTime ? info.resetTime.getTime() - suite.clock.now() : o.windowMs;
      refuse(res, 429, 'rate_limited', ctx?.requestId, Math.max(1000, retryMs));
    },
  });
}
