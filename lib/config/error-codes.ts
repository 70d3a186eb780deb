/**
 * Every error and warning code watchpost can raise. Each has an entry in
 * docs/error-codes.md (a spec checks that the two lists agree).
 */
export const ERROR_CODES = {
  ERR_WATCHPOST_INVALID_NUMBER: 'A numeric setting is not a number, or is out of range.',
  ERR_WATCHPOST_INVALID_BOOLEAN: 'A true/false setting has another value.',
  ERR_WATCHPOST_INVALID_URL: 'A URL setting cannot be parsed or has the wrong scheme.',
  ERR_WATCHPOST_UNSUPPORTED_DATABASE: 'DATABASE_URL names a database watchpost does not support.',
  ERR_WATCHPOST_INVALID_CHOICE: 'A setting that takes one of a fixed list of values has another one.',
  ERR_WATCHPOST_INVALID_EMAIL: 'An e-mail address in a list setting is not valid.',
  ERR_WATCHPOST_INVALID_CIDR: 'An allow or deny list entry is not an IP address or CIDR range.',
  ERR_WATCHPOST_INVALID_OPTION: 'An option passed to createWatchpost() has the wrong type.',
  ERR_WATCHPOST_UNKNOWN_OPTION: 'An option passed to createWatchpost() is not known.',
  ERR_WATCHPOST_INVALID_LOGGER: 'A logger passed in options lacks the methods watchpost calls.',
  ERR_WATCHPOST_INVALID_STORE: 'A store passed in options does not implement the CounterStore contract.',
  ERR_WATCHPOST_INVALID_IP: 'blockIp/unblockIp/blockedUntil was given something that is not an IP address.',
  ERR_WATCHPOST_INVALID_EVENT: 'logSecurityEvent() was called with an unknown type or severity, or a malformed field.',
  ERR_WATCHPOST_CLOSED: 'A watchpost instance was used after close().',
  ERR_WATCHPOST_INVALID_DETECTION_OPTION: 'An option of createInjectionDetector() (paranoia, limits) has a bad value or is not known.',
  ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION: 'An assessment anomaly setting (ANOMALY_*, or an `anomaly` option) has a bad value.',
  ERR_WATCHPOST_UNKNOWN_ASSESSMENT_OPTION: 'An `anomaly` option passed to createWatchpost() (or a decorator) is not known.',
  ERR_WATCHPOST_BASELINE_STORE: 'The assessment baseline store failed; detection carries on with the last baseline it has.',
  ERR_WATCHPOST_STORE_TIMEOUT: 'A store command did not answer within REDIS_COMMAND_TIMEOUT_MS.',
  ERR_WATCHPOST_STORE_UNAVAILABLE: 'The store could not be reached or refused a command.',
  ERR_WATCHPOST_DB_UNAVAILABLE: 'The database could not be reached; events wait in the buffer.',
  ERR_WATCHPOST_DB_WRITE_FAILED: 'A batch write to the database failed; it is retried.',
  ERR_WATCHPOST_DB_WRITE_REJECTED: 'The database refused a row (a value or constraint it cannot take); the row is isolated and dropped, the rest is written.',
  ERR_WATCHPOST_SUITE_NOT_INSTALLED: 'A decorated or guarded handler ran in an app where wp.middleware() is not mounted.',
  ERR_WATCHPOST_MIDDLEWARE_NOT_CALLED: 'wp.middleware was passed to app.use without being called.',
  WRN_WATCHPOST_PERMISSIVE_TRUST_PROXY: 'Express trust proxy is true: any client can choose its IP with X-Forwarded-For.',
  WRN_WATCHPOST_UNEXPECTED_X_FORWARDED_FOR: 'Requests carry X-Forwarded-For but trust proxy is off: every client may appear as the proxy.',
  WRN_WATCHPOST_EVENTS_DROPPED: 'The event buffer was full; events were logged but not queued for the database.',
  WRN_WATCHPOST_STORE_FALLBACK: 'The shared store failed; counters and blocks use the per-process memory store until it recovers.',
  WRN_WATCHPOST_EMAIL_ALERTS_UNCONFIGURED: 'ENABLE_EMAIL_ALERTS is true but SMTP_HOST or ALERT_RECIPIENTS is missing.',
  WRN_WATCHPOST_MEMORY_STORE: 'The memory store keeps counters per process; several instances do not share them.',
} as const;

/** A code from the table above. */
export type ErrorCode = keyof typeof ERROR_CODES;
