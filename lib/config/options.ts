/**
 * createWatchpost() options (user input, all optional) and the resolved configuration
 * (all fields filled). The environment is read through the table in settings.ts; options
 * given in code override it.
 */
import type { AssessmentAnomalyConfig, AssessmentAnomalyOptions } from '../core/assessment-config';
import type { Clock, CounterStore, Logger } from '../core/ports';
import type { DatabaseTarget } from './parsers';

/** The threshold rules of seed 002's table, plus the two it names without variables. */
export const RULE_IDS = [
  'failed_logins',
  'injection_attempts',
  'rate_limit_violations',
  'assessment_anomalies',
  'suspicious_activities',
  'brute_force_attempts',
] as const;

/** Id of a threshold rule. */
export type RuleId = (typeof RULE_IDS)[number];

/** Levels of SECURITY_LOG_LEVEL (seed 002's names). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
/** A SECURITY_LOG_LEVEL value. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the suite does when the shared store fails (STYLE.md section 4). */
export const STORE_ERROR_POLICIES = ['insure', 'fail-open', 'fail-closed'] as const;
/** A STORE_ERROR_POLICY value. */
export type StoreErrorPolicy = (typeof STORE_ERROR_POLICIES)[number];

/** Count and window of one threshold rule. */
export interface RuleOptions {
  /** Events within the window that cross the threshold. */
  readonly threshold?: number;
  /** Window length in milliseconds. */
  readonly windowMs?: number;
}

/** Options for createWatchpost(). Each overrides the matching environment variable. */
export interface WatchpostOptions {
  /** Environment to read instead of `process.env` (tests, embedding). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** DATABASE_URL: `postgres://…` or `sqlite:PATH`. Defaults to `sqlite:./data/watchpost.sqlite`. */
  readonly databaseUrl?: string;
  /** DATABASE_SCHEMA: PostgreSQL schema for the tables (created if missing). Defaults to `public`. */
  readonly databaseSchema?: string;
  /** DATABASE_RUN_MIGRATIONS: run pending migrations when the database connects. Defaults to `true`. */
  readonly runMigrations?: boolean;
  /** DATABASE_CONNECT_TIMEOUT_MS: bound on one connection attempt. Defaults to `5000`. */
  readonly databaseConnectTimeoutMs?: number;
  /** DATABASE_RETRY_MAX_DELAY_MS: longest wait between reconnection attempts. Defaults to `30000`. */
  readonly databaseRetryMaxDelayMs?: number;
  /** REDIS_URL: shared store. Unset means the per-process memory store. */
  readonly redisUrl?: string;
  /** REDIS_KEY_PREFIX: prefix of every Redis key. Defaults to `watchpost:`. */
  readonly redisKeyPrefix?: string;
  /** REDIS_COMMAND_TIMEOUT_MS: longest wait for one store command. Defaults to `250`. */
  readonly redisCommandTimeoutMs?: number;
  /** REDIS_CONNECT_TIMEOUT_MS: longest wait for a connection. Defaults to `2000`. */
  readonly redisConnectTimeoutMs?: number;
  /** STORE_ERROR_POLICY: `insure` (memory fallback), `fail-open` or `fail-closed`. Defaults to `insure`. */
  readonly onStoreError?: StoreErrorPolicy;
  /** STORE_MAX_KEYS: keys the memory store tracks at most. Defaults to `100000`. */
  readonly storeMaxKeys?: number;
  /** A store to use instead of the one REDIS_URL selects (must implement CounterStore). */
  readonly store?: CounterStore;
  /** SECURITY_LOG_PATH: file for the JSON lines. Unset means stdout. */
  readonly securityLogPath?: string;
  /** SECURITY_LOG_LEVEL: DEBUG, INFO, WARNING, ERROR or CRITICAL. Defaults to `INFO`. */
  readonly securityLogLevel?: LogLevel;
  /** A logger to use instead of the built-in winston one (needs debug/info/warn/error). */
  readonly logger?: Logger;
  /** SMTP settings for e-mail alerts. */
  readonly smtp?: {
    readonly host?: string;
    readonly port?: number;
    readonly username?: string;
    readonly password?: string;
    readonly from?: string;
    /** SMTP_SECURE: TLS from the start (port 465). Defaults to `true` on port 465, else STARTTLS when offered. */
    readonly secure?: boolean;
  };
  /** ALERT_WEBHOOK_URL: POST each alert as JSON to this URL. */
  readonly alertWebhookUrl?: string;
  /** SLACK_WEBHOOK_URL: post each alert to this Slack incoming webhook. */
  readonly slackWebhookUrl?: string;
  /** ALERT_MAX_PER_MINUTE: notifications per channel per minute; more are summarised in the next one. Defaults to `20`. */
  readonly alertMaxPerMinute?: number;
  /** ALERT_RECIPIENTS: e-mail addresses for alerts. */
  readonly alertRecipients?: readonly string[];
  /** Threshold rules, by id (FAILED_LOGINS_THRESHOLD / FAILED_LOGINS_WINDOW, …). */
  readonly thresholds?: { readonly [K in RuleId]?: RuleOptions };
  /**
   * Assessment anomaly settings (ANOMALY_BASELINE_WINDOW, ANOMALY_THRESHOLD,
   * COMPLETION_TIME_THRESHOLD, SCORE_RANGE_THRESHOLD and the other ANOMALY_* variables; see
   * docs/assessment-anomalies.md). Unset values take the detector's defaults.
   */
  readonly anomaly?: AssessmentAnomalyOptions;
  /** ENABLE_REAL_TIME_MONITORING: count events against the thresholds. Defaults to `true`. */
  readonly enableRealTimeMonitoring?: boolean;
  /** ENABLE_EMAIL_ALERTS: send alerts by e-mail when SMTP is configured. Defaults to `true`. */
  readonly enableEmailAlerts?: boolean;
  /** ENABLE_ANOMALY_DETECTION: run assessment anomaly checks. Defaults to `true`. */
  readonly enableAnomalyDetection?: boolean;
  /** ENABLE_RATE_LIMITING: rate-limit requests in the middleware. Defaults to `true`. */
  readonly enableRateLimiting?: boolean;
  /** ENABLE_IP_BLOCKING: block IPs that cross a blocking rule. Defaults to `true`. */
  readonly enableIpBlocking?: boolean;
  /** IP block durations. */
  readonly ipBlock?: {
    /** IP_BLOCK_DURATION (seconds in the environment): first block. Defaults to 900 000 ms (15 min). */
    readonly baseMs?: number;
    /** IP_BLOCK_MAX_DURATION (seconds): longest block. Defaults to 86 400 000 ms (24 h). */
    readonly maxMs?: number;
    /** IP_BLOCK_OFFENCE_WINDOW (seconds): how long earlier blocks count towards a longer one. Defaults to 7 days. */
    readonly offenceWindowMs?: number;
    /** IP_BLOCK_RULES: rules whose crossing blocks the IP. */
    readonly rules?: readonly RuleId[];
  };
  /** The event buffer and writer. */
  readonly events?: {
    /** SECURITY_EVENT_BUFFER_SIZE: writes held while the database is slow or down. Defaults to `50000`. */
    readonly bufferSize?: number;
    /** SECURITY_EVENT_BATCH_SIZE: rows per database write. Defaults to `500`. */
    readonly batchSize?: number;
    /** SECURITY_EVENT_FLUSH_INTERVAL_MS: longest wait before a partial batch is written. Defaults to `200`. */
    readonly flushIntervalMs?: number;
  };
  /** IPV6_PREFIX_LENGTH: bits of an IPv6 address that identify one client. Defaults to `56`. */
  readonly ipv6PrefixLength?: number;
  /** IP_ALLOW_LIST: IPs or CIDR ranges never blocked or rate-limited. */
  readonly allowList?: readonly string[];
  /** IP_DENY_LIST: IPs or CIDR ranges always refused with 403. */
  readonly denyList?: readonly string[];
  /** EXEMPT_PATHS: path prefixes (health, metrics) never blocked, limited or scanned. */
  readonly exemptPaths?: readonly string[];
  /** SECURITY_HEADERS: helmet's headers; `false` turns them off, an object is passed to helmet. */
  readonly securityHeaders?: boolean | Readonly<Record<string, unknown>>;
  /** Request rate limit of wp.middleware() (ENABLE_RATE_LIMITING switches it). */
  readonly rateLimit?: {
    /** RATE_LIMIT_MAX_REQUESTS: requests per window per client. Defaults to `300`. */
    readonly limit?: number;
    /** RATE_LIMIT_WINDOW (seconds in the environment): window. Defaults to 60 000 ms. */
    readonly windowMs?: number;
  };
  /** Injection scanning of wp.middleware(). */
  readonly injection?: {
    /** INJECTION_MODE: `block` (403) or `monitor` (log only). Defaults to `block`. */
    readonly mode?: InjectionMode;
    /** DETECTION_PARANOIA_LEVEL: 1 (fewest false positives) to 4. Defaults to the detector's default. */
    readonly paranoia?: 1 | 2 | 3 | 4;
    /** Per-route modes; the first matching entry wins. */
    readonly routes?: ReadonlyArray<{ readonly path: string | RegExp; readonly mode: InjectionMode | 'off' }>;
    /** INJECTION_ON_INCOMPLETE: what to do when a request is too big or deep to scan fully. Defaults to `block`. */
    readonly onIncomplete?: 'block' | 'allow';
  };
  /** Login defence of @SecureAuth / wp.secureAuth(). */
  readonly login?: {
    /** LOGIN_LOCK_DURATION (seconds): hard lock of one IP+username after FAILED_LOGINS_THRESHOLD failures. Defaults to 900 000 ms. */
    readonly lockMs?: number;
    /** LOGIN_ACCOUNT_THRESHOLD: failures of one account from all IPs (within FAILED_LOGINS_WINDOW × 3) that lock it briefly for everyone. Defaults to `20`. */
    readonly accountThreshold?: number;
    /** LOGIN_ACCOUNT_LOCK_DURATION (seconds): first account-wide lock; doubles per repeat, up to 15 min. Defaults to 60 000 ms. */
    readonly accountLockMs?: number;
    /** LOGIN_DISTINCT_USERS_THRESHOLD: distinct usernames failing from one IP that mark credential stuffing. Defaults to `10`. */
    readonly distinctUsersThreshold?: number;
    /** LOGIN_DISTINCT_IPS_THRESHOLD: distinct IPs failing on one account that mark a distributed brute force. Defaults to `10`. */
    readonly distinctIpsThreshold?: number;
  };
  /** A clock (tests). */
  readonly clock?: Clock;
}

/** Injection guard modes. */
export type InjectionMode = 'block' | 'monitor';

/** Resolved count and window of one rule. */
export interface RuleConfig {
  readonly threshold: number;
  readonly windowMs: number;
}

/** The resolved, frozen configuration. */
export interface WatchpostConfig {
  readonly database: DatabaseTarget & {
    readonly schema: string | undefined;
    readonly runMigrations: boolean;
    readonly connectTimeoutMs: number;
    readonly retryMaxDelayMs: number;
  };
  readonly redis:
    | {
        readonly url: string;
        readonly keyPrefix: string;
        readonly commandTimeoutMs: number;
        readonly connectTimeoutMs: number;
      }
    | undefined;
  readonly redisKeyPrefix: string;
  readonly onStoreError: StoreErrorPolicy;
  readonly storeMaxKeys: number;
  readonly securityLogPath: string | undefined;
  readonly securityLogLevel: LogLevel;
  readonly smtp: {
    readonly host: string | undefined;
    readonly port: number;
    readonly username: string | undefined;
    readonly password: string | undefined;
    readonly from: string | undefined;
    readonly secure: boolean;
  };
  readonly alertWebhookUrl: string | undefined;
  readonly slackWebhookUrl: string | undefined;
  readonly alertMaxPerMinute: number;
  readonly alertRecipients: readonly string[];
  readonly thresholds: { readonly [K in RuleId]: RuleConfig };
  readonly anomaly: AssessmentAnomalyConfig;
  readonly enableRealTimeMonitoring: boolean;
  readonly enableEmailAlerts: boolean;
  readonly enableAnomalyDetection: boolean;
  readonly enableRateLimiting: boolean;
  readonly enableIpBlocking: boolean;
  readonly ipBlock: {
    readonly baseMs: number;
    readonly maxMs: number;
    readonly offenceWindowMs: number;
    readonly rules: readonly RuleId[];
  };
  readonly events: {
    readonly bufferSize: number;
    readonly batchSize: number;
    readonly flushIntervalMs: number;
  };
  readonly ipv6PrefixLength: number;
  readonly allowList: readonly string[];
  readonly denyList: readonly string[];
  readonly exemptPaths: readonly string[];
  readonly securityHeaders: false | Readonly<Record<string, unknown>>;
  readonly rateLimit: { readonly limit: number; readonly windowMs: number };
  readonly injection: {
    readonly mode: InjectionMode;
    readonly paranoia: 1 | 2 | 3 | 4 | undefined;
    readonly routes: ReadonlyArray<{ readonly path: string | RegExp; readonly mode: InjectionMode | 'off' }>;
    readonly onIncomplete: 'block' | 'allow';
  };
  readonly login: {
    readonly lockMs: number;
    readonly accountThreshold: number;
    readonly accountLockMs: number;
    readonly distinctUsersThreshold: number;
    readonly distinctIpsThreshold: number;
  };
}
