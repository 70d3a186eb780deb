/**
 * The environment variables watchpost reads (seed 002's names, then new ones in the same
 * style) and resolveConfig(), which turns environment + options into one frozen config.
 * docs/configuration.md documents every variable in ENVIRONMENT_VARIABLES (a spec checks it).
 */
import { ConfigError } from '../core/errors';
import {
  LOG_LEVELS,
  RULE_IDS,
  STORE_ERROR_POLICIES,
  type LogLevel,
  type RuleConfig,
  type RuleId,
  type WatchpostConfig,
  type WatchpostOptions,
} from './options';
import { ASSESSMENT_ENV_VARS, DEFAULT_ASSESSMENT_ANOMALY_CONFIG, resolveAssessmentConfigFromEnv, type AssessmentAnomalyConfig } from '../core/assessment-config';
import {
  parseBoolean,
  parseChoice,
  parseChoiceList,
  parseCidrList,
  parseDatabaseUrl,
  parseEmailList,
  parseHttpUrl,
  parseNumber,
  parsePathList,
  unknownOption,
  parseRedisUrl,
  parseString,
} from './parsers';

/** One environment variable: its default (as text) and what it does. */
export interface EnvVarSpec {
  readonly default: string;
  readonly description: string;
}

/** The core environment variables (seed 002's names, then new ones in the same style). */
const CORE_VARIABLES = {
  DATABASE_URL: { default: 'sqlite:./data/watchpost.sqlite', description: 'Database: postgres://… or sqlite:PATH (sqlite::memory: for a throw-away database).' },
  DATABASE_SCHEMA: { default: '(public)', description: 'PostgreSQL schema for the tables; created when missing.' },
  DATABASE_RUN_MIGRATIONS: { default: 'true', description: 'Run pending migrations when the database connects.' },
  DATABASE_CONNECT_TIMEOUT_MS: { default: '5000', description: 'Longest wait for one database connection attempt, in ms.' },
  DATABASE_RETRY_MAX_DELAY_MS: { default: '30000', description: 'Longest wait between reconnection attempts while the database is down, in ms.' },
  REDIS_URL: { default: '(unset: memory store)', description: 'Redis for counters and blocks shared by all instances: redis://host:6379.' },
  REDIS_KEY_PREFIX: { default: 'watchpost:', description: 'Prefix of every Redis key.' },
  REDIS_COMMAND_TIMEOUT_MS: { default: '250', description: 'Longest wait for one Redis command before the store counts as failed, in ms.' },
  REDIS_CONNECT_TIMEOUT_MS: { default: '2000', description: 'Longest wait for a Redis connection, in ms.' },
  STORE_ERROR_POLICY: { default: 'insure', description: 'When the shared store fails: insure (memory fallback), fail-open or fail-closed.' },
  STORE_MAX_KEYS: { default: '100000', description: 'Most keys the memory store tracks; the oldest are evicted past it.' },
  SECURITY_LOG_PATH: { default: '(unset: stdout)', description: 'File for the JSON security log lines.' },
  SECURITY_LOG_LEVEL: { default: 'INFO', description: 'DEBUG, INFO, WARNING, ERROR or CRITICAL.' },
  SMTP_HOST: { default: '(unset)', description: 'SMTP server for e-mail alerts.' },
  SMTP_PORT: { default: '587', description: 'SMTP port.' },
  SMTP_USERNAME: { default: '(unset)', description: 'SMTP user name.' },
  SMTP_PASSWORD: { default: '(unset)', description: 'SMTP password (never logged).' },
  SMTP_FROM: { default: '(SMTP_USERNAME when it is an address, else watchpost@<host name>)', description: 'Sender address of alert e-mails.' },
  SMTP_SECURE: { default: '(true on port 465, else false)', description: 'TLS from the start of the SMTP connection; otherwise STARTTLS is used when the server offers it.' },
  ALERT_RECIPIENTS: { default: '(unset)', description: 'Comma-separated e-mail addresses that receive alerts.' },
  ALERT_WEBHOOK_URL: { default: '(unset)', description: 'POST each alert as JSON to this http(s) URL.' },
  SLACK_WEBHOOK_URL: { default: '(unset)', description: 'Post each alert to this Slack incoming-webhook URL.' },
  ALERT_MAX_PER_MINUTE: { default: '20', description: 'Notifications per channel per minute; more are counted and summarised in the next one.' },
  FAILED_LOGINS_THRESHOLD: { default: '5', description: 'Failed logins (per IP, per user) within FAILED_LOGINS_WINDOW that raise an alert.' },
  FAILED_LOGINS_WINDOW: { default: '300', description: 'Window of FAILED_LOGINS_THRESHOLD, in seconds.' },
  INJECTION_ATTEMPTS_THRESHOLD: { default: '3', description: 'Injection attempts within INJECTION_ATTEMPTS_WINDOW that raise a CRITICAL alert.' },
  INJECTION_ATTEMPTS_WINDOW: { default: '300', description: 'Window of INJECTION_ATTEMPTS_THRESHOLD, in seconds.' },
  RATE_LIMIT_VIOLATIONS_THRESHOLD: { default: '10', description: 'Rate-limit refusals within RATE_LIMIT_VIOLATIONS_WINDOW that raise an alert.' },
  RATE_LIMIT_VIOLATIONS_WINDOW: { default: '600', description: 'Window of RATE_LIMIT_VIOLATIONS_THRESHOLD, in seconds.' },
  ASSESSMENT_ANOMALIES_THRESHOLD: { default: '2', description: 'Assessment anomalies within ASSESSMENT_ANOMALIES_WINDOW that raise an alert.' },
  ASSESSMENT_ANOMALIES_WINDOW: { default: '3600', description: 'Window of ASSESSMENT_ANOMALIES_THRESHOLD, in seconds.' },
  SUSPICIOUS_ACTIVITIES_THRESHOLD: { default: '5', description: 'Suspicious activities within SUSPICIOUS_ACTIVITIES_WINDOW that raise an alert.' },
  SUSPICIOUS_ACTIVITIES_WINDOW: { default: '1800', description: 'Window of SUSPICIOUS_ACTIVITIES_THRESHOLD, in seconds.' },
  BRUTE_FORCE_ATTEMPTS_THRESHOLD: { default: '10', description: 'Brute-force detections within BRUTE_FORCE_ATTEMPTS_WINDOW that raise a CRITICAL alert.' },
  BRUTE_FORCE_ATTEMPTS_WINDOW: { default: '300', description: 'Window of BRUTE_FORCE_ATTEMPTS_THRESHOLD, in seconds.' },
  ENABLE_REAL_TIME_MONITORING: { default: 'true', description: 'Count events against the thresholds (alerts, blocks).' },
  ENABLE_EMAIL_ALERTS: { default: 'true', description: 'Send alerts by e-mail (needs SMTP_HOST and ALERT_RECIPIENTS).' },
  ENABLE_ANOMALY_DETECTION: { default: 'true', description: 'Run the assessment anomaly checks.' },
  ENABLE_RATE_LIMITING: { default: 'true', description: 'Rate-limit requests in wp.middleware().' },
  ENABLE_IP_BLOCKING: { default: 'true', description: 'Block IPs that cross a blocking rule.' },
  IP_BLOCK_DURATION: { default: '900', description: 'First block of an IP, in seconds; it doubles for each repeat offence.' },
  IP_BLOCK_MAX_DURATION: { default: '86400', description: 'Longest block, in seconds.' },
  IP_BLOCK_OFFENCE_WINDOW: { default: '604800', description: 'How long (seconds) an earlier block counts towards a longer one.' },
  IP_BLOCK_RULES: {
    default: 'failed_logins,injection_attempts,rate_limit_violations,suspicious_activities,brute_force_attempts',
    description: 'Rules whose crossing blocks the IP (comma-separated rule ids).',
  },
  SECURITY_EVENT_BUFFER_SIZE: { default: '50000', description: 'Writes held in memory while the database is slow or down.' },
  SECURITY_EVENT_BATCH_SIZE: { default: '500', description: 'Rows per database write.' },
  SECURITY_EVENT_FLUSH_INTERVAL_MS: { default: '200', description: 'Longest wait before a partial batch is written, in ms.' },
  IPV6_PREFIX_LENGTH: { default: '56', description: 'Bits of an IPv6 address that identify one client for counters and blocks.' },
  IP_ALLOW_LIST: { default: '(empty)', description: 'Comma-separated IPs or CIDR ranges that are never blocked or rate-limited.' },
  IP_DENY_LIST: { default: '(empty)', description: 'Comma-separated IPs or CIDR ranges that are always refused (403).' },
  EXEMPT_PATHS: { default: '/health,/healthz,/readyz,/livez,/metrics', description: 'Path prefixes never blocked, rate-limited or scanned (probes, metrics).' },
  SECURITY_HEADERS: { default: 'true', description: 'Send helmet\'s security headers.' },
  RATE_LIMIT_MAX_REQUESTS: { default: '300', description: 'Requests per RATE_LIMIT_WINDOW per client before 429.' },
  RATE_LIMIT_WINDOW: { default: '60', description: 'Window of RATE_LIMIT_MAX_REQUESTS, in seconds.' },
  INJECTION_MODE: { default: 'block', description: 'block (refuse with 403) or monitor (log only) when a request carries an attack.' },
  DETECTION_PARANOIA_LEVEL: { default: '(detector default)', description: 'Injection detector paranoia level, 1 (fewest false positives) to 4.' },
  INJECTION_ON_INCOMPLETE: { default: 'block', description: 'block or allow a request too large or deep to scan fully.' },
  LOGIN_LOCK_DURATION: { default: '900', description: 'Seconds one IP+username stays locked after FAILED_LOGINS_THRESHOLD failures.' },
  LOGIN_ACCOUNT_THRESHOLD: { default: '20', description: 'Failures of one account from all IPs that lock it briefly for every IP.' },
  LOGIN_ACCOUNT_LOCK_DURATION: { default: '60', description: 'Seconds of the first account-wide lock; doubles per repeat, at most 900.' },
  LOGIN_DISTINCT_USERS_THRESHOLD: { default: '10', description: 'Distinct usernames failing from one IP that mark credential stuffing.' },
  LOGIN_DISTINCT_IPS_THRESHOLD: { default: '10', description: 'Distinct IPs failing on one account that mark a distributed brute force.' },
} as const satisfies Record<string, EnvVarSpec>;

/** A variable of the core table. */
export type EnvVarName = keyof typeof CORE_VARIABLES;

/**
 * Every environment variable watchpost reads: the core table above plus the assessment
 * anomaly variables (ANOMALY_BASELINE_WINDOW, ANOMALY_THRESHOLD, COMPLETION_TIME_THRESHOLD,
 * SCORE_RANGE_THRESHOLD, ANOMALY_*), whose parser lives with the detector.
 */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, EnvVarSpec>> = Object.freeze({
  ...CORE_VARIABLES,
  ...Object.fromEntries(
    (Object.entries(ASSESSMENT_ENV_VARS) as Array<[keyof AssessmentAnomalyConfig, string]>).map(([key, name]) => [
      name,
      { default: String(DEFAULT_ASSESSMENT_ANOMALY_CONFIG[key]), description: `Assessment anomaly setting \`${key}\` (see docs/assessment-anomalies.md).` },
    ]),
  ),
});

/** Env and option names of each rule's two settings. */
const RULE_SETTINGS: Readonly<Record<RuleId, { readonly env: string; readonly threshold: number; readonly windowSec: number }>> = {
  failed_logins: { env: 'FAILED_LOGINS', threshold: 5, windowSec: 300 },
  injection_attempts: { env: 'INJECTION_ATTEMPTS', threshold: 3, windowSec: 300 },
  rate_limit_violations: { env: 'RATE_LIMIT_VIOLATIONS', threshold: 10, windowSec: 600 },
  assessment_anomalies: { env: 'ASSESSMENT_ANOMALIES', threshold: 2, windowSec: 3600 },
  suspicious_activities: { env: 'SUSPICIOUS_ACTIVITIES', threshold: 5, windowSec: 1800 },
  brute_force_attempts: { env: 'BRUTE_FORCE_ATTEMPTS', threshold: 10, windowSec: 300 },
};

const DEFAULT_BLOCK_RULES: readonly RuleId[] = ['failed_logins', 'injection_attempts', 'rate_limit_violations', 'suspicious_activities', 'brute_force_attempts'];

// Known option keys: the Record type makes the compiler keep these lists complete.
const KNOWN_TOP: Record<keyof Required<WatchpostOptions>, true> = {
  env: true,
  databaseUrl: true,
  databaseSchema: true,
  runMigrations: true,
  databaseConnectTimeoutMs: true,
  databaseRetryMaxDelayMs: true,
  redisUrl: true,
  redisKeyPrefix: true,
  redisCommandTimeoutMs: true,
  redisConnectTimeoutMs: true,
  onStoreError: true,
  storeMaxKeys: true,
  store: true,
  securityLogPath: true,
  securityLogLevel: true,
  logger: true,
  smtp: true,
  alertRecipients: true,
  alertWebhookUrl: true,
  slackWebhookUrl: true,
  alertMaxPerMinute: true,
  thresholds: true,
  anomaly: true,
  enableRealTimeMonitoring: true,
  enableEmailAlerts: true,
  enableAnomalyDetection: true,
  enableRateLimiting: true,
  enableIpBlocking: true,
  ipBlock: true,
  events: true,
  clock: true,
  ipv6PrefixLength: true,
  allowList: true,
  denyList: true,
  exemptPaths: true,
  securityHeaders: true,
  rateLimit: true,
  injection: true,
  login: true,
};
const KNOWN_NESTED: Readonly<Record<string, readonly string[]>> = {
  smtp: ['host', 'port', 'username', 'password', 'from', 'secure'],
  ipBlock: ['baseMs', 'maxMs', 'offenceWindowMs', 'rules'],
  events: ['bufferSize', 'batchSize', 'flushIntervalMs'],
  thresholds: RULE_IDS,
  rateLimit: ['limit', 'windowMs'],
  injection: ['mode', 'paranoia', 'routes', 'onIncomplete'],
  login: ['lockMs', 'accountThreshold', 'accountLockMs', 'distinctUsersThreshold', 'distinctIpsThreshold'],
};

function checkKeys(where: string, value: unknown, known: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `createWatchpost: ${where} ${JSON.stringify(value)} is not valid. Expected an object.`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw unknownOption('createWatchpost', where === 'options' ? key : `${where}.${key}`, key, known);
  }
}

/** Drops keys whose value is undefined, so `{ windowMs: undefined }` means "use the default". */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Resolves environment + options into the frozen configuration. Throws ConfigError (with
 * the variable or option name, the value and what is expected) on any bad value.
 */
export function resolveConfig(options: WatchpostOptions = {}): WatchpostConfig {
  checkKeys('options', options, Object.keys(KNOWN_TOP));
  for (const [key, known] of Object.entries(KNOWN_NESTED)) {
    checkKeys(key, (options as Record<string, unknown>)[key], known);
  }
  const opts = defined(options);
  const env = options.env ?? process.env;

  /** The option when given, else the environment variable when set and not blank, else the default. */
  function pick<T>(envName: EnvVarName, optionName: string, optionValue: unknown, fromEnv: (name: string, raw: string) => T, fromOption: (name: string, raw: unknown) => T, fallback: T): T {
    if (optionValue !== undefined) return fromOption(`createWatchpost: ${optionName}`, optionValue);
    const raw = env[envName];
    if (raw !== undefined && raw.trim() !== '') return fromEnv(envName, raw);
    return fallback;
  }
  const int = (min: number, max?: number, unit?: string) => (name: string, raw: unknown) => parseNumber(name, raw, { integer: true, min, max, unit });
  const seconds = (min: number) => (name: string, raw: unknown) => parseNumber(name, raw, { integer: true, min, unit: 'seconds' }) * 1000;
  /** Options take real numbers; only the environment's text is converted. */
  const opt = (parse: (name: string, raw: unknown) => number) => (name: string, raw: unknown) => {
    if (typeof raw !== 'number') {
      throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${name}: ${JSON.stringify(raw)} is not valid. Expected a number, not ${typeof raw}.`);
    }
    return parse(name, raw);
  };
  const bool = (name: string, raw: unknown) => parseBoolean(name, raw);
  const str = (name: string, raw: unknown) => parseString(name, raw);

  const databaseTarget = pick('DATABASE_URL', 'databaseUrl', opts.databaseUrl, parseDatabaseUrl, parseDatabaseUrl, parseDatabaseUrl('DATABASE_URL', CORE_VARIABLES.DATABASE_URL.default));
  const schema = pick<string | undefined>('DATABASE_SCHEMA', 'databaseSchema', opts.databaseSchema, schemaName, schemaName, undefined);
  const redisUrl = pick<string | undefined>('REDIS_URL', 'redisUrl', opts.redisUrl, parseRedisUrl, parseRedisUrl, undefined);
  const redisKeyPrefix = pick('REDIS_KEY_PREFIX', 'redisKeyPrefix', opts.redisKeyPrefix, str, str, 'watchpost:');
  const redisCommandTimeoutMs = pick('REDIS_COMMAND_TIMEOUT_MS', 'redisCommandTimeoutMs', opts.redisCommandTimeoutMs, int(1, 60_000, 'ms'), opt(int(1, 60_000, 'ms')), 250);
  const redisConnectTimeoutMs = pick('REDIS_CONNECT_TIMEOUT_MS', 'redisConnectTimeoutMs', opts.redisConnectTimeoutMs, int(1, 120_000, 'ms'), opt(int(1, 120_000, 'ms')), 2000);

  const thresholds = {} as Record<RuleId, RuleConfig>;
  const ruleOptions = defined(opts.thresholds);
  for (const id of RULE_IDS) {
    const spec = RULE_SETTINGS[id];
    const given = defined(ruleOptions[id]);
    checkKeys(`thresholds.${id}`, ruleOptions[id], ['threshold', 'windowMs']);
    thresholds[id] = Object.freeze({
      threshold: pick(`${spec.env}_THRESHOLD` as EnvVarName, `thresholds.${id}.threshold`, given.threshold, int(1), opt(int(1)), spec.threshold),
      windowMs: pick(`${spec.env}_WINDOW` as EnvVarName, `thresholds.${id}.windowMs`, given.windowMs, seconds(1), opt(int(1000, undefined, 'ms')), spec.windowSec * 1000),
    });
  }

  const smtp = defined(opts.smtp);
  const ipBlock = defined(opts.ipBlock);
  const events = defined(opts.events);

  const baseMs = pick('IP_BLOCK_DURATION', 'ipBlock.baseMs', ipBlock.baseMs, seconds(1), opt(int(1000, undefined, 'ms')), 900_000);
  const maxMs = pick('IP_BLOCK_MAX_DURATION', 'ipBlock.maxMs', ipBlock.maxMs, seconds(1), opt(int(1000, undefined, 'ms')), 86_400_000);
  if (maxMs < baseMs) {
    const maxName = ipBlock.maxMs !== undefined ? 'createWatchpost: ipBlock.maxMs' : 'IP_BLOCK_MAX_DURATION';
    const baseName = ipBlock.baseMs !== undefined ? 'ipBlock.baseMs' : 'IP_BLOCK_DURATION';
    throw new ConfigError(
      'ERR_WATCHPOST_INVALID_NUMBER',
      `${maxName}: a longest block of ${maxMs / 1000} s is shorter than ${baseName} (${baseMs / 1000} s). Set the longest block to at least the first one.`,
    );
  }
  const rateLimit = defined(opts.rateLimit);
  const injection = defined(opts.injection);
  const login = defined(opts.login);
  const smtpPort = pick('SMTP_PORT', 'smtp.port', smtp.port, int(1, 65535), opt(int(1, 65535)), 587);
  const smtpUsername = pick<string | undefined>('SMTP_USERNAME', 'smtp.username', smtp.username, str, str, undefined);

  const config: WatchpostConfig = {
    database: Object.freeze({
      ...databaseTarget,
      schema: databaseTarget.kind === 'postgres' ? schema : undefined,
      runMigrations: pick('DATABASE_RUN_MIGRATIONS', 'runMigrations', opts.runMigrations, bool, bool, true),
      connectTimeoutMs: pick('DATABASE_CONNECT_TIMEOUT_MS', 'databaseConnectTimeoutMs', opts.databaseConnectTimeoutMs, int(100, 300_000, 'ms'), opt(int(100, 300_000, 'ms')), 5000),
      retryMaxDelayMs: pick('DATABASE_RETRY_MAX_DELAY_MS', 'databaseRetryMaxDelayMs', opts.databaseRetryMaxDelayMs, int(10, 3_600_000, 'ms'), opt(int(10, 3_600_000, 'ms')), 30_000),
    }),
    redis: redisUrl ? Object.freeze({ url: redisUrl, keyPrefix: redisKeyPrefix, commandTimeoutMs: redisCommandTimeoutMs, connectTimeoutMs: redisConnectTimeoutMs }) : undefined,
    redisKeyPrefix,
    onStoreError: pick('STORE_ERROR_POLICY', 'onStoreError', opts.onStoreError, (n, r) => parseChoice(n, r, STORE_ERROR_POLICIES), (n, r) => parseChoice(n, r, STORE_ERROR_POLICIES), 'insure'),
    storeMaxKeys: pick('STORE_MAX_KEYS', 'storeMaxKeys', opts.storeMaxKeys, int(100), opt(int(100)), 100_000),
    securityLogPath: pick<string | undefined>('SECURITY_LOG_PATH', 'securityLogPath', opts.securityLogPath, str, str, undefined),
    securityLogLevel: pick<LogLevel>('SECURITY_LOG_LEVEL', 'securityLogLevel', opts.securityLogLevel, logLevel, logLevel, 'INFO'),
    smtp: Object.freeze({
      host: pick<string | undefined>('SMTP_HOST', 'smtp.host', smtp.host, str, str, undefined),
      port: smtpPort,
      username: smtpUsername,
      password: pick<string | undefined>('SMTP_PASSWORD', 'smtp.password', smtp.password, (_n, r) => r, (n, r) => parseString(n, r), undefined),
      from: pick<string | undefined>('SMTP_FROM', 'smtp.from', smtp.from, parseOneEmail, parseOneEmail, undefined),
      secure: pick('SMTP_SECURE', 'smtp.secure', smtp.secure, bool, bool, smtpPort === 465),
    }),
    alertWebhookUrl: pick<string | undefined>('ALERT_WEBHOOK_URL', 'alertWebhookUrl', opts.alertWebhookUrl, parseHttpUrl, parseHttpUrl, undefined),
    slackWebhookUrl: pick<string | undefined>('SLACK_WEBHOOK_URL', 'slackWebhookUrl', opts.slackWebhookUrl, parseHttpUrl, parseHttpUrl, undefined),
    alertMaxPerMinute: pick('ALERT_MAX_PER_MINUTE', 'alertMaxPerMinute', opts.alertMaxPerMinute, int(1, 10_000), opt(int(1, 10_000)), 20),
    alertRecipients: Object.freeze(pick('ALERT_RECIPIENTS', 'alertRecipients', opts.alertRecipients, parseEmailList, parseEmailList, [] as string[])),
    thresholds: Object.freeze(thresholds),
    // The detector's own parser: it knows every ANOMALY_* setting and names a bad one.
    anomaly: Object.freeze(resolveAssessmentConfigFromEnv(env, defined(opts.anomaly ?? {}), 'createWatchpost: anomaly')),
    enableRealTimeMonitoring: pick('ENABLE_REAL_TIME_MONITORING', 'enableRealTimeMonitoring', opts.enableRealTimeMonitoring, bool, bool, true),
    enableEmailAlerts: pick('ENABLE_EMAIL_ALERTS', 'enableEmailAlerts', opts.enableEmailAlerts, bool, bool, true),
    enableAnomalyDetection: pick('ENABLE_ANOMALY_DETECTION', 'enableAnomalyDetection', opts.enableAnomalyDetection, bool, bool, true),
    enableRateLimiting: pick('ENABLE_RATE_LIMITING', 'enableRateLimiting', opts.enableRateLimiting, bool, bool, true),
    enableIpBlocking: pick('ENABLE_IP_BLOCKING', 'enableIpBlocking', opts.enableIpBlocking, bool, bool, true),
    ipBlock: Object.freeze({
      baseMs,
      maxMs,
      offenceWindowMs: pick('IP_BLOCK_OFFENCE_WINDOW', 'ipBlock.offenceWindowMs', ipBlock.offenceWindowMs, seconds(1), opt(int(1000, undefined, 'ms')), 604_800_000),
      rules: Object.freeze(pick('IP_BLOCK_RULES', 'ipBlock.rules', ipBlock.rules, (n, r) => parseChoiceList(n, r, RULE_IDS), (n, r) => parseChoiceList(n, r, RULE_IDS), [...DEFAULT_BLOCK_RULES])),
    }),
    events: Object.freeze({
      bufferSize: pick('SECURITY_EVENT_BUFFER_SIZE', 'events.bufferSize', events.bufferSize, int(100, 10_000_000), opt(int(100, 10_000_000)), 50_000),
      batchSize: pick('SECURITY_EVENT_BATCH_SIZE', 'events.batchSize', events.batchSize, int(1, 5000), opt(int(1, 5000)), 500),
      flushIntervalMs: pick('SECURITY_EVENT_FLUSH_INTERVAL_MS', 'events.flushIntervalMs', events.flushIntervalMs, int(1, 60_000, 'ms'), opt(int(1, 60_000, 'ms')), 200),
    }),
    ipv6PrefixLength: pick('IPV6_PREFIX_LENGTH', 'ipv6PrefixLength', opts.ipv6PrefixLength, int(16, 128), opt(int(16, 128)), 56),
    allowList: Object.freeze(pick('IP_ALLOW_LIST', 'allowList', opts.allowList, parseCidrList, parseCidrList, [] as string[])),
    denyList: Object.freeze(pick('IP_DENY_LIST', 'denyList', opts.denyList, parseCidrList, parseCidrList, [] as string[])),
    exemptPaths: Object.freeze(pick('EXEMPT_PATHS', 'exemptPaths', opts.exemptPaths, parsePathList, parsePathList, ['/health', '/healthz', '/readyz', '/livez', '/metrics'])),
    securityHeaders: pick<false | Readonly<Record<string, unknown>>>('SECURITY_HEADERS', 'securityHeaders', opts.securityHeaders, (n, r) => (parseBoolean(n, r) ? {} : false), headersOption, {}),
    rateLimit: Object.freeze({
      limit: pick('RATE_LIMIT_MAX_REQUESTS', 'rateLimit.limit', rateLimit.limit, int(1), opt(int(1)), 300),
      windowMs: pick('RATE_LIMIT_WINDOW', 'rateLimit.windowMs', rateLimit.windowMs, seconds(1), opt(int(1000, undefined, 'ms')), 60_000),
    }),
    injection: Object.freeze({
      mode: pick('INJECTION_MODE', 'injection.mode', injection.mode, (n, r) => parseChoice(n, r, ['block', 'monitor'] as const), (n, r) => parseChoice(n, r, ['block', 'monitor'] as const), 'block' as const),
      paranoia: pick<1 | 2 | 3 | 4 | undefined>('DETECTION_PARANOIA_LEVEL', 'injection.paranoia', injection.paranoia, (n, r) => int(1, 4)(n, r) as 1 | 2 | 3 | 4, (n, r) => opt(int(1, 4))(n, r) as 1 | 2 | 3 | 4, undefined),
      routes: Object.freeze(parseRouteModes('createWatchpost: injection.routes', injection.routes ?? [])),
      onIncomplete: pick('INJECTION_ON_INCOMPLETE', 'injection.onIncomplete', injection.onIncomplete, (n, r) => parseChoice(n, r, ['block', 'allow'] as const), (n, r) => parseChoice(n, r, ['block', 'allow'] as const), 'block' as const),
    }),
    login: Object.freeze({
      lockMs: pick('LOGIN_LOCK_DURATION', 'login.lockMs', login.lockMs, seconds(1), opt(int(1000, undefined, 'ms')), 900_000),
      accountThreshold: pick('LOGIN_ACCOUNT_THRESHOLD', 'login.accountThreshold', login.accountThreshold, int(2), opt(int(2)), 20),
      accountLockMs: pick('LOGIN_ACCOUNT_LOCK_DURATION', 'login.accountLockMs', login.accountLockMs, seconds(1), opt(int(1000, undefined, 'ms')), 60_000),
      distinctUsersThreshold: pick('LOGIN_DISTINCT_USERS_THRESHOLD', 'login.distinctUsersThreshold', login.distinctUsersThreshold, int(2), opt(int(2)), 10),
      distinctIpsThreshold: pick('LOGIN_DISTINCT_IPS_THRESHOLD', 'login.distinctIpsThreshold', login.distinctIpsThreshold, int(2), opt(int(2)), 10),
    }),
  };
  return Object.freeze(config);
}

function parseOneEmail(name: string, raw: unknown): string {
  const list = parseEmailList(name, raw);
  if (list.length !== 1) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_EMAIL', `${name}: ${JSON.stringify(raw)} is not valid. Expected one e-mail address such as watchpost@example.com.`);
  }
  return list[0];
}

function headersOption(name: string, raw: unknown): false | Readonly<Record<string, unknown>> {
  if (raw === true) return {};
  if (raw === false) return false;
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) return Object.freeze({ ...(raw as Record<string, unknown>) });
  throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${name}: ${JSON.stringify(raw)} is not valid. Expected true, false or helmet options.`);
}

function parseRouteModes(name: string, raw: unknown): Array<{ path: string | RegExp; mode: 'block' | 'monitor' | 'off' }> {
  if (!Array.isArray(raw)) throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${name}: ${JSON.stringify(raw)} is not valid. Expected an array of { path, mode }.`);
  return raw.map((entry: unknown, i: number) => {
    const e = entry as { path?: unknown; mode?: unknown };
    if (!e || (typeof e.path !== 'string' && !(e.path instanceof RegExp))) {
      throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${name}[${i}].path: ${JSON.stringify(e?.path)} is not valid. Expected a path prefix string or a RegExp.`);
    }
    return { path: e.path, mode: parseChoice(`${name}[${i}].mode`, e.mode, ['block', 'monitor', 'off'] as const) };
  });
}

function logLevel(name: string, raw: unknown): LogLevel {
  return parseChoice(name, raw, LOG_LEVELS, { warn: 'WARNING', fatal: 'CRITICAL', err: 'ERROR' });
}

function schemaName(name: string, raw: unknown): string {
  const value = parseString(name, raw);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${name}: ${JSON.stringify(raw)} is not valid. Expected a lower-case PostgreSQL identifier such as watchpost or security_data.`);
  }
  return value;
}
