/**
 * The composition root: createWatchpost() reads the configuration and wires the concrete
 * adapters (winston, TypeORM, Redis or memory, prom-client) into core. Nothing here runs
 * per request.
 */
import { Registry } from 'prom-client';
import os from 'node:os';
import { EmailAlerter } from './alerting/email-alerter';
import { LogAlerter } from './alerting/log-alerter';
import { ThrottledAlerter } from './alerting/throttled-alerter';
import { WebhookAlerter } from './alerting/webhook-alerter';
import type { WatchpostConfig, WatchpostOptions } from './config/options';
import { resolveConfig } from './config/settings';
import { BatchWriter } from './core/batch-writer';
import { blockKeyOf, ThresholdEngine, type BlockResult } from './core/engine';
import { ConfigError, InputError } from './core/errors';
import { InsuredStore } from './core/insured-store';
import { newId } from './core/ids';
import { ipKey } from './core/ip';
import { SecurityMonitor, type SecurityEventInput } from './core/monitor';
import { systemClock, type Alerter, type CounterStore, type Logger, type StoreStatus } from './core/ports';
import { buildRules } from './core/rules';
import { cleanText, isSecretKey, sanitizeDetails } from './core/sanitize';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { parseAssessmentPolicy, parseAuthPolicy, type SecureAssessmentOptions, type SecureAuthOptions } from './config/policies';
import { CidrSet } from './core/cidr';
import { SetupError } from './core/errors';
import { createInjectionDetector } from './detection';
import { createErrorHandler } from './http/error-handler';
import { createParamsGuard } from './http/injection-guard';
import { createMiddleware, type MiddlewareOptions, type WatchpostMiddleware } from './http/middleware';
import { policyMiddleware } from './http/policy-runtime';
import { createLimiter } from './http/rate-limit';
import { INSTANCE_SUITE, type HttpSuite } from './http/suite';
import { createWinstonLogger, wrapLogger, type SecurityLogger } from './logging/winston-logger';
import { createMetrics, type WatchpostMetrics } from './metrics/definitions';
import { TypeOrmEventSink } from './persistence/typeorm-event-sink';
import { TypeOrmBaselineStore } from './persistence/typeorm-baseline-store';
import { AssessmentAnalyzer } from './core/assessment-analyzer';
import type { AssessmentRuntime } from './http/assessment-guard';
import { MemoryStore } from './stores/memory-store';
import { RedisStore } from './stores/redis-store';


/** What /health reports. */
export interface HealthReport {
  /** `ok`, or `degraded` while the database or the shared store is down (the app still serves). */
  readonly status: 'ok' | 'degraded';
  readonly database: 'up' | 'connecting' | 'down';
  readonly store: StoreStatus;
  readonly buffer: { readonly size: number; readonly capacity: number; readonly dropped: number };
}

/** `wp.monitor`. */
export interface Monitor {
  /** Logs a security event (see SecurityEventInput); returns its id. */
  logSecurityEvent(input: SecurityEventInput): string;
}

/** A running watchpost suite. */
export interface Watchpost {
  readonly config: WatchpostConfig;
  readonly monitor: Monitor;
  /** The counter store in use (shared by the guards). */
  readonly store: CounterStore;
  /** The prom-client registry holding watchpost's metrics. */
  readonly registry: Registry;
  /** Database, store and buffer state. */
  health(): Promise<HealthReport>;
  /** Blocks an IP now (manual block); audited with `actor`. */
  blockIp(ip: string, options: { readonly actor: string; readonly reason?: string; readonly durationMs?: number }): Promise<BlockResult>;
  /** Lifts a block on every instance; audited with `actor`. */
  unblockIp(ip: string, options: { readonly actor: string }): Promise<void>;
  /** When an IP (any form) is blocked until, or undefined. */
  blockedUntil(ip: string): Promise<Date | undefined>;
  /** Waits until every event logged so far is counted and written (or the write failed). */
  flush(): Promise<void>;
  /** Flushes pending events (up to 10 s), then closes connections. Safe to call twice. */
  close(): Promise<void>;
  /** The request guard chain; mount with app.use() after the body parser. */
  middleware(options?: MiddlewareOptions): WatchpostMiddleware;
  /** Login defence for one route: app.post('/login', wp.secureAuth(), handler). */
  secureAuth(options?: SecureAuthOptions): RequestHandler;
  /** Assessment checks for one route: app.post('/submit', wp.secureAssessment({ type }), handler). */
  secureAssessment(options?: SecureAssessmentOptions): RequestHandler;
  /** A stricter rate limit for one route (counted in the shared store). */
  rateLimit(options: { readonly limit: number; readonly windowMs: number; readonly name: string }): RequestHandler;
  /** Scans the route's params (which the app-level middleware cannot see): app.get('/files/:name', wp.scanParams(), handler). */
  scanParams(): RequestHandler;
  /** Clear 400/413/415 answers (with an event) for body-parser failures; mount after the routes. */
  errorHandler(): ErrorRequestHandler;
  /** Prometheus text for GET /metrics (the registry above). */
  metricsHandler(): RequestHandler;
}

function checkLogger(logger: unknown): Logger {
  const l = logger as Record<string, unknown>;
  const missing = ['debug', 'info', 'warn', 'error'].filter((m) => typeof l?.[m] !== 'function');
  if (missing.length > 0) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_LOGGER', `createWatchpost: logger lacks ${missing.join(', ')}. Pass an object with debug, info, warn and error methods (a winston or pino logger works).`);
  }
  // winston takes (message, meta); watchpost calls (fields, message) as pino does.
  const isWinston = typeof l.log === 'function' && typeof l.add === 'function' && typeof l.levels === 'object';
  if (isWinston) {
    const w = logger as Record<'debug' | 'info' | 'warn' | 'error', (m: string, meta: object) => void>;
    return {
      debug: (f, m) => w.debug(m, f),
      info: (f, m) => w.info(m, f),
      warn: (f, m) => w.warn(m, f),
      error: (f, m) => w.error(m, f),
    };
  }
  return logger as Logger;
}

function checkStore(store: unknown): CounterStore {
  const s = store as Record<string, unknown>;
  const methods = ['increment', 'decrement', 'reset', 'get', 'block', 'blockedUntil', 'unblock', 'listBlocks', 'claim', 'shutdown'];
  const missing = methods.filter((m) => typeof s?.[m] !== 'function');
  if (missing.length > 0) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_STORE', `createWatchpost: store lacks ${missing.join(', ')}. Implement the CounterStore contract (docs/stores.md).`);
  }
  return store as CounterStore;
}

/**
 * Creates a watchpost suite from the environment, with `options` overriding it. Throws
 * ConfigError for a bad setting. Starts even when the database or Redis cannot be reached
 * (see docs/operations.md for what happens then).
 */
export async function createWatchpost(options: WatchpostOptions = {}): Promise<Watchpost> {
  const config = resolveConfig(options);
  const clock = options.clock ?? systemClock;
  const secLog: SecurityLogger = options.logger
    ? wrapLogger(checkLogger(options.logger))
    : createWinstonLogger({ path: config.securityLogPath, level: config.securityLogLevel });
  const log = secLog.logger;
  const registry = new Registry();
  // Read at scrape time: IP blocks in the store (login locks are kept apart, under login:).
  let storeRef: CounterStore | undefined;
  const metrics: WatchpostMetrics = createMetrics(registry, {
    blockedIps: async () => ((await storeRef?.listBlocks(100_000)) ?? []).filter((b) => b.key.startsWith('ip:')).length,
  });
  const keyOf = (ip: string) => ipKey(ip, config.ipv6PrefixLength);
  const allow = new CidrSet(config.allowList);
  const deny = new CidrSet(config.denyList);

  const sink = new TypeOrmEventSink({
    kind: config.database.kind,
    path: config.database.kind === 'sqlite' ? config.database.path : undefined,
    url: config.database.url,
    schema: config.database.schema,
    connectTimeoutMs: config.database.connectTimeoutMs,
    runMigrations: config.database.runMigrations,
    retryMaxDelayMs: config.database.retryMaxDelayMs,
    logger: log,
  });

  // Unblocks made here whose database row may still be queued (key -> unblocked at, ms): a
  // reload from the database must not undo them. An entry goes once the database agrees.
  const pendingUnblocks = new Map<string, number>();
  // Blocks live in the store; the database is their durable copy.
  const loadBlocksInto = async (target: CounterStore): Promise<number> => {
    if (!sink.isAvailable()) return 0;
    const now = clock.now();
    const blocks = await sink.loadActiveBlocks(new Date(now));
    const stillQueued = new Set<string>();
    let applied = 0;
    for (const b of blocks) {
      const unblockedAt = pendingUnblocks.get(b.ip);
      if (unblockedAt !== undefined && b.blockedAt.getTime() <= unblockedAt) {
        stillQueued.add(b.ip);
        continue;
      }
      const remaining = b.expiresAt.getTime() - now;
      if (remaining > 0) {
        await target.block(blockKeyOf(b.ip), remaining);
        applied += 1;
      }
    }
    for (const key of pendingUnblocks.keys()) if (!stillQueued.has(key)) pendingUnblocks.delete(key);
    return applied;
  };

  let store: CounterStore;
  let insured: InsuredStore | undefined;
  let redisStore: RedisStore | undefined;
  const memory = new MemoryStore({ maxKeys: config.storeMaxKeys, clock });
  const insure = config.onStoreError === 'insure';
  /** A shared store, behind the memory fallback when the policy is `insure`. */
  const shared = async (primary: CounterStore): Promise<CounterStore> => {
    if (!insure) {
      await memory.shutdown();
      return primary;
    }
    insured = new InsuredStore({
      primary,
      fallback: memory,
      logger: log,
      metrics,
      clock,
      onFallback: (fallback) => loadBlocksInto(fallback).then(() => undefined),
      // A restarted store is empty: put the durable blocks back.
      onRecover: () => void reloadBlocks('store_recovered'),
    });
    return insured;
  };
  if (options.store) {
    const custom = checkStore(options.store);
    if (custom.kind === 'memory') {
      // A custom memory store is not expected to fail: used as given.
      store = custom;
      await memory.shutdown();
    } else store = await shared(custom);
  } else if (config.redis) {
    redisStore = new RedisStore({
      url: config.redis.url,
      keyPrefix: config.redis.keyPrefix,
      commandTimeoutMs: config.redis.commandTimeoutMs,
      connectTimeoutMs: config.redis.connectTimeoutMs,
      logger: log,
      onReconnect: () => void reloadBlocks('redis_reconnected'),
      // Under `insure` the insured store counts errors itself (once per failure).
      onError: insure ? undefined : (op) => metrics.storeError('redis', op),
    });
    store = await shared(redisStore);
  } else {
    store = memory;
    if ((options.env ?? process.env).NODE_ENV === 'production') {
      log.warn({ event: 'memory_store', code: 'WRN_WATCHPOST_MEMORY_STORE' }, 'REDIS_URL is not set: counters and blocks are per process; several instances do not share them');
    }
  }

  storeRef = store;
  const writer = new BatchWriter({
    sink,
    retryMaxMs: Math.min(5000, config.database.retryMaxDelayMs),
    capacity: config.events.bufferSize,
    batchSize: config.events.batchSize,
    flushIntervalMs: config.events.flushIntervalMs,
    logger: log,
    metrics,
    onDropsReported: (dropped, since) => {
      monitor.logSecurityEvent({ type: 'EVENTS_DROPPED', severity: 'ERROR', details: { dropped, since: new Date(since).toISOString() } });
    },
  });

  // Channels: the log always; e-mail, webhook and Slack when configured, each capped per minute.
  const alerters: Alerter[] = [new LogAlerter(log)];
  let email: EmailAlerter | undefined;
  const smtpReady = Boolean(config.smtp.host) && config.alertRecipients.length > 0;
  if (config.enableEmailAlerts && smtpReady) {
    const fromUser = config.smtp.username && /@/.test(config.smtp.username) ? config.smtp.username : undefined;
    email = new EmailAlerter({
      host: config.smtp.host as string,
      port: config.smtp.port,
      secure: config.smtp.secure,
      username: config.smtp.username,
      password: config.smtp.password,
      from: config.smtp.from ?? fromUser ?? `watchpost@${os.hostname()}`,
      to: config.alertRecipients,
    });
    alerters.push(new ThrottledAlerter(email, config.alertMaxPerMinute));
  } else if (config.enableEmailAlerts && (Boolean(config.smtp.host) || config.alertRecipients.length > 0)) {
    log.warn(
      { event: 'email_alerts_unconfigured', code: 'WRN_WATCHPOST_EMAIL_ALERTS_UNCONFIGURED', missing: config.smtp.host ? 'ALERT_RECIPIENTS' : 'SMTP_HOST' },
      'ENABLE_EMAIL_ALERTS is true but e-mail alerts need both SMTP_HOST and ALERT_RECIPIENTS: no e-mail will be sent',
    );
  }
  if (config.alertWebhookUrl) alerters.push(new ThrottledAlerter(WebhookAlerter.webhook(config.alertWebhookUrl), config.alertMaxPerMinute));
  if (config.slackWebhookUrl) alerters.push(new ThrottledAlerter(WebhookAlerter.slack(config.slackWebhookUrl), config.alertMaxPerMinute));
  const rules = buildRules(config);
  const engine = new ThresholdEngine({
    rules,
    store,
    writer,
    emit: (e) => monitor.logSecurityEvent(e),
    alerters,
    ipBlock: config.ipBlock,
    ipKeyOf: keyOf,
    // Allow-listed clients are never blocked (IPv6 keys are checked by their network).
    isExempt: (key) => allow.has(key.split('/')[0]),
    clock,
    logger: log,
    metrics,
  });
  const monitor = new SecurityMonitor({
    sinks: {
      logEvent: (r) => secLog.logEvent(r),
      writer,
      observe: config.enableRealTimeMonitoring ? (r) => engine.observe(r) : undefined,
      counted: new Set(rules.flatMap((r) => r.eventTypes)),
    },
    clock,
    logger: log,
    metrics,
  });

  async function reloadBlocks(reason: string): Promise<void> {
    try {
      const n = await loadBlocksInto(store);
      if (n > 0) log.info({ event: 'blocks_loaded', count: n, reason }, 'active blocks loaded from the database');
    } catch (err) {
      log.error({ event: 'blocks_load_failed', reason, err: err instanceof Error ? err.message : String(err) }, 'could not load active blocks from the database');
    }
  }

  let firstLoad: Promise<void> | undefined;
  sink.onConnect(() => {
    const load = reloadBlocks('database_connected');
    firstLoad ??= load;
  });
  sink.start();
  // A memory store learns other instances' blocks from the database; a shared store holds
  // them already (a Redis restart or recovery reloads through the hooks above).
  const resync = store.localKeys ? setInterval(() => void reloadBlocks('periodic'), 60_000) : undefined;
  resync?.unref();

  if (store.init) {
    try {
      await store.init();
    } catch (err) {
      log.error({ event: 'store_init_failed', store: store.kind, err: err instanceof Error ? err.message : String(err) }, 'store failed to start');
    }
  }
  // Wait briefly for the database so that durable blocks are loaded before traffic; the
  // app starts anyway when it cannot be reached.
  if (await sink.whenUp(Math.min(config.database.connectTimeoutMs, 3000))) await firstLoad;

  // One detector for the middleware, the guards and the assessment free-text check.
  // Secret fields are never scanned, so they never reach a snippet.
  const scanner = createInjectionDetector({ skipValuesOf: isSecretKey, ...(config.injection.paranoia === undefined ? {} : { paranoia: config.injection.paranoia }) });

  // Assessment checks: baselines in the database (shared by every instance, kept across
  // restarts); the request path never waits on them (background loads and appends).
  let analyzer: AssessmentAnalyzer | undefined;
  let assessments: AssessmentRuntime | undefined;
  if (config.enableAnomalyDetection) {
    let lastStoreErrorLog = 0;
    analyzer = new AssessmentAnalyzer({
      // Appends run in the background: batches gathered for up to 250 ms make few, large writes.
      store: new TypeOrmBaselineStore({ dataSource: () => sink.dataSource, batchDelayMs: 250 }),
      config: config.anomaly,
      scanText: (v) => scanner.scanValue(v, 'answer'),
      appendMode: 'background',
      loadMode: 'background',
      onError: (err, context) => {
        const now = Date.now();
        if (now - lastStoreErrorLog < 10_000) return;
        lastStoreErrorLog = now;
        log.error({ event: 'baseline_store_failed', code: 'ERR_WATCHPOST_BASELINE_STORE', op: context.op, type: context.type, err: err instanceof Error ? err.message : String(err) }, 'assessment baseline store failed; detection goes on with the last baseline');
      },
      onDrift: (type, drift) => {
        monitor.logSecurityEvent({
          type: 'SUSPICIOUS_ACTIVITY',
          severity: drift.drifting ? 'WARNING' : 'INFO',
          details: { pattern: 'assessment_baseline_drift', assessmentType: type, drifting: drift.drifting, drift },
        });
      },
    });
    const a = analyzer;
    assessments = {
      analyze: (submission) => a.analyze(submission),
      record(submission, verdict, meta) {
        const detectedAt = new Date(clock.now());
        for (const anomaly of verdict.anomalies) {
          writer.enqueue({
            kind: 'anomaly',
            record: {
              id: newId(),
              detectedAt,
              userIdentifier: cleanText(submission.user, 320),
              assessmentType: cleanText(submission.type, 128) as string,
              anomalyType: cleanText(anomaly.type, 64) as string,
              severity: anomaly.severity,
              sourceIp: meta.ip,
              requestId: cleanText(meta.requestId, 128),
              eventId: meta.eventId,
              details: sanitizeDetails(anomaly.details),
            },
          });
        }
      },
    };
  }

  const httpSuite: HttpSuite = {
    config,
    logEvent: (input) => monitor.logSecurityEvent(input),
    store,
    scanner,
    assessments,
    metrics,
    logger: log,
    clock,
    allow,
    deny,
    keyOf,
  };
  const middlewares: WatchpostMiddleware[] = [];

  let closing: Promise<void> | undefined;
  const wp: Watchpost & { [INSTANCE_SUITE]: HttpSuite } = {
    [INSTANCE_SUITE]: httpSuite,
    middleware(options?: MiddlewareOptions): WatchpostMiddleware {
      // `app.use(wp.middleware)` hands us a request: say how to mount it instead.
      const first = options as unknown as { headers?: unknown; method?: unknown } | undefined;
      if (first && typeof first === 'object' && 'headers' in first && 'method' in first) {
        const err = new SetupError('ERR_WATCHPOST_MIDDLEWARE_NOT_CALLED', 'wp.middleware must be called when mounted: app.use(wp.middleware()), not app.use(wp.middleware).');
        // eslint-disable-next-line prefer-rest-params
        const next = arguments[2] as unknown;
        if (typeof next === 'function') {
          (next as (e: unknown) => void)(err);
          return undefined as unknown as WatchpostMiddleware;
        }
        throw err;
      }
      const m = createMiddleware(httpSuite, options);
      middlewares.push(m);
      return m;
    },
    secureAuth(options?: SecureAuthOptions) {
      return policyMiddleware(parseAuthPolicy({ ...options, instance: wp }, 'wp.secureAuth()'));
    },
    secureAssessment(options?: SecureAssessmentOptions) {
      return policyMiddleware(parseAssessmentPolicy({ ...options, instance: wp }, 'wp.secureAssessment()'));
    },
    rateLimit(options) {
      return createLimiter(httpSuite, { limit: options.limit, windowMs: options.windowMs, name: options.name, skip: (req) => Boolean((req as { watchpost?: { allowListed?: boolean } }).watchpost?.allowListed) });
    },
    scanParams() {
      return createParamsGuard(httpSuite);
    },
    errorHandler() {
      return createErrorHandler(httpSuite) as ErrorRequestHandler;
    },
    metricsHandler() {
      return function watchpostMetricsHandler(_req, res, next) {
        registry.metrics().then((text) => {
          res.setHeader('Content-Type', registry.contentType);
          res.send(text);
        }, next);
      };
    },
    config,
    registry,
    store,
    monitor: { logSecurityEvent: (input) => monitor.logSecurityEvent(input) },
    async health() {
      const storeStatus: StoreStatus = insured
        ? insured.status()
        : redisStore
          ? { kind: 'redis', state: Date.now() - redisStore.lastErrorAt < 10_000 ? 'down' : 'ok', errors: redisStore.errors }
          : { kind: store.kind, state: 'ok', errors: 0 };
      // Connected is not enough: while writes keep failing the database counts as down.
      const database = sink.status === 'up' ? (writer.failing && writer.size > 0 ? 'down' : 'up') : sink.status === 'connecting' ? 'connecting' : 'down';
      return {
        status: database === 'up' && storeStatus.state === 'ok' ? 'ok' : 'degraded',
        database,
        store: storeStatus,
        buffer: { size: writer.size, capacity: config.events.bufferSize, dropped: writer.droppedTotal },
      };
    },
    async blockIp(ip, o) {
      const key = keyOf(ip);
      if (!key) throw new InputError('ERR_WATCHPOST_INVALID_IP', `blockIp: ${JSON.stringify(ip)} is not an IP address. Pass an IPv4 or IPv6 address such as 203.0.113.7.`);
      const reason = cleanText(o.reason ?? 'manual block', 256) as string;
      const result = await engine.blockIp(key, reason, null, { actor: o.actor }, o.durationMs ?? config.ipBlock.baseMs);
      writer.enqueue({ kind: 'audit', record: { id: newId(), occurredAt: new Date(clock.now()), actor: cleanText(o.actor, 128) as string, action: 'ip.block', target: key, sourceIp: null, details: { reason, until: result.until.toISOString() } } });
      return result;
    },
    async unblockIp(ip, o) {
      const key = keyOf(ip);
      if (!key) throw new InputError('ERR_WATCHPOST_INVALID_IP', `unblockIp: ${JSON.stringify(ip)} is not an IP address. Pass an IPv4 or IPv6 address such as 203.0.113.7.`);
      const actor = cleanText(o.actor, 128) as string;
      const now = new Date(clock.now());
      await store.unblock(blockKeyOf(key));
      pendingUnblocks.set(key, now.getTime());
      writer.enqueue({ kind: 'unblock', record: { ip: key, unblockedAt: now, unblockedBy: actor } });
      writer.enqueue({ kind: 'audit', record: { id: newId(), occurredAt: now, actor, action: 'ip.unblock', target: key, sourceIp: null, details: {} } });
      monitor.logSecurityEvent({ type: 'IP_UNBLOCKED', ip: key.includes('/') ? null : key, details: { key, actor } });
    },
    async blockedUntil(ip) {
      const key = keyOf(ip);
      return key ? store.blockedUntil(blockKeyOf(key)) : undefined;
    },
    async flush() {
      await analyzer?.flush();
      await monitor.settle();
      await engine.settleDeliveries(10_000);
      engine.flushUpdates();
      await writer.flush();
    },
    close() {
      if (!closing) {
        closing = (async () => {
          clearInterval(resync);
          for (const m of middlewares) m.flush();
          await analyzer?.close();
          await monitor.close();
          await engine.settleDeliveries(10_000);
          engine.flushUpdates();
          await writer.close(10_000);
          await sink.close();
          await store.shutdown();
          email?.close();
          await secLog.close();
        })();
      }
      return closing;
    },
  };
  return wp;
}
