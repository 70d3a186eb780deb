import fs from 'node:fs';
import path from 'node:path';
import { assert } from '../helpers/counted-assert';
import { ENVIRONMENT_VARIABLES, resolveConfig } from '../../lib/config/settings';
import { ERROR_CODES } from '../../lib/config/error-codes';
import { ConfigError } from '../../lib/core/errors';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function configError(env: Record<string, string>, code: string, ...fragments: RegExp[]): void {
  assert.throws(
    () => resolveConfig({ env }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
      assert.equal(err.code, code);
      for (const f of fragments) assert.match(err.message, f);
      assert.match(err.message, new RegExp(`docs/error-codes\\.md#${code.toLowerCase()}`));
      return true;
    },
  );
}

describe('config: resolveConfig', () => {
  it('fills seed 002 defaults from an empty environment', () => {
    const c = resolveConfig({ env: {} });
    assert.equal(c.database.kind, 'sqlite');
    assert.equal(c.database.kind === 'sqlite' && c.database.path, './data/watchpost.sqlite');
    assert.equal(c.redis, undefined);
    assert.equal(c.securityLogLevel, 'INFO');
    assert.deepEqual(c.thresholds.failed_logins, { threshold: 5, windowMs: 300_000 });
    assert.deepEqual(c.thresholds.injection_attempts, { threshold: 3, windowMs: 300_000 });
    assert.deepEqual(c.thresholds.rate_limit_violations, { threshold: 10, windowMs: 600_000 });
    assert.deepEqual(c.thresholds.assessment_anomalies, { threshold: 2, windowMs: 3_600_000 });
    assert.deepEqual(c.thresholds.suspicious_activities, { threshold: 5, windowMs: 1_800_000 });
    assert.deepEqual(c.thresholds.brute_force_attempts, { threshold: 10, windowMs: 300_000 });
    assert.equal(c.smtp.port, 587);
    assert.equal(c.enableIpBlocking, true);
    assert.equal(c.enableRealTimeMonitoring, true);
    assert.equal(c.onStoreError, 'insure');
  });

  it('reads every kind of variable from the environment', () => {
    const c = resolveConfig({
      env: {
        DATABASE_URL: 'postgres://u:p@db.example:5432/sec',
        REDIS_URL: 'redis://127.0.0.1:6380/2',
        FAILED_LOGINS_THRESHOLD: '7',
        FAILED_LOGINS_WINDOW: '60',
        ENABLE_IP_BLOCKING: 'no',
        SECURITY_LOG_LEVEL: 'warning',
        ALERT_RECIPIENTS: 'a@example.com, b@example.org',
        IP_BLOCK_RULES: 'injection_attempts',
        ANOMALY_THRESHOLD: '3.5',
      },
    });
    assert.equal(c.database.kind, 'postgres');
    assert.equal(c.redis?.url, 'redis://127.0.0.1:6380/2');
    assert.deepEqual(c.thresholds.failed_logins, { threshold: 7, windowMs: 60_000 });
    assert.equal(c.enableIpBlocking, false);
    assert.equal(c.securityLogLevel, 'WARNING');
    assert.deepEqual(c.alertRecipients, ['a@example.com', 'b@example.org']);
    assert.deepEqual(c.ipBlock.rules, ['injection_attempts']);
    assert.equal(c.anomaly.robustZ, 3.5, 'ANOMALY_THRESHOLD is the robust z cut of the assessment checks');
  });

  it('options override the environment', () => {
    const c = resolveConfig({
      env: { FAILED_LOGINS_THRESHOLD: '9', ENABLE_IP_BLOCKING: 'true', DATABASE_URL: 'postgres://x@h/db' },
      thresholds: { failed_logins: { threshold: 2, windowMs: 10_000 } },
      enableIpBlocking: false,
      databaseUrl: 'sqlite::memory:',
    });
    assert.deepEqual(c.thresholds.failed_logins, { threshold: 2, windowMs: 10_000 });
    assert.equal(c.enableIpBlocking, false);
    assert.equal(c.database.kind === 'sqlite' && c.database.path, ':memory:');
  });

  it('an option set to undefined means the default (or the environment)', () => {
    const c = resolveConfig({ env: { FAILED_LOGINS_THRESHOLD: '8' }, thresholds: { failed_logins: { threshold: undefined } } });
    assert.equal(c.thresholds.failed_logins.threshold, 8);
  });

  it('blank variables count as unset', () => {
    const c = resolveConfig({ env: { REDIS_URL: '', FAILED_LOGINS_THRESHOLD: '  ' } });
    assert.equal(c.redis, undefined);
    assert.equal(c.thresholds.failed_logins.threshold, 5);
  });

  it('the configuration is frozen, nested objects included', () => {
    const c = resolveConfig({ env: {} });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.thresholds));
    assert.ok(Object.isFrozen(c.thresholds.failed_logins));
    assert.ok(Object.isFrozen(c.database));
    assert.throws(() => {
      (c.thresholds.failed_logins as { threshold: number }).threshold = 1;
    }, TypeError);
  });

  describe('bad values stop start-up with a message naming the variable, the value and what is expected', () => {
    it('a word where a number is expected', () => {
      configError({ FAILED_LOGINS_THRESHOLD: 'abc' }, 'ERR_WATCHPOST_INVALID_NUMBER', /^FAILED_LOGINS_THRESHOLD/, /"abc"/, /whole number >= 1/);
    });
    it('a negative number', () => {
      configError({ FAILED_LOGINS_THRESHOLD: '-1' }, 'ERR_WATCHPOST_INVALID_NUMBER', /FAILED_LOGINS_THRESHOLD/, /"-1"/, />= 1/);
    });
    it('a fraction where a whole number is expected', () => {
      configError({ INJECTION_ATTEMPTS_WINDOW: '2.5' }, 'ERR_WATCHPOST_INVALID_NUMBER', /INJECTION_ATTEMPTS_WINDOW/, /"2.5"/, /seconds/);
    });
    it('a Redis URL that is not a URL', () => {
      configError({ REDIS_URL: 'not-a-url' }, 'ERR_WATCHPOST_INVALID_URL', /REDIS_URL/, /"not-a-url"/, /redis:\/\//);
    });
    it('a Redis URL with another scheme, password hidden', () => {
      configError({ REDIS_URL: 'http://user:secret@host:6379' }, 'ERR_WATCHPOST_INVALID_URL', /REDIS_URL/, /\*\*\*/);
      assert.throws(() => resolveConfig({ env: { REDIS_URL: 'http://user:secret@host:6379' } }), (e: Error) => !e.message.includes('secret'));
    });
    it('a URL that does not parse keeps its password hidden too (Redis, PostgreSQL, webhook)', () => {
      for (const env of <Array<Record<string, string>>>[{ REDIS_URL: 'redis://user:CANARY-7d1@host:99999' }, { DATABASE_URL: 'postgres://app:CANARY-7d1@db:99999/app' }, { ALERT_WEBHOOK_URL: 'https://u:CANARY-7d1@hooks.example.com:99999/x' }]) {
        configError(env, 'ERR_WATCHPOST_INVALID_URL', new RegExp(Object.keys(env)[0] as string), /\*\*\*/);
        assert.throws(() => resolveConfig({ env }), (e: Error) => !e.message.includes('CANARY-7d1'), JSON.stringify(env));
      }
    });
    it('a boolean that is neither true nor false', () => {
      configError({ ENABLE_IP_BLOCKING: 'maybe' }, 'ERR_WATCHPOST_INVALID_BOOLEAN', /ENABLE_IP_BLOCKING/, /"maybe"/, /true or false/);
    });
    it('an unsupported database', () => {
      configError({ DATABASE_URL: 'mysql://root:pw@localhost/app' }, 'ERR_WATCHPOST_UNSUPPORTED_DATABASE', /DATABASE_URL/, /mysql/, /postgres:\/\//, /sqlite:/);
      assert.throws(() => resolveConfig({ env: { DATABASE_URL: 'mysql://root:pw@localhost/app' } }), (e: Error) => !e.message.includes(':pw@'));
    });
    it('a database URL without a scheme', () => {
      configError({ DATABASE_URL: 'watchpost.sqlite' }, 'ERR_WATCHPOST_INVALID_URL', /DATABASE_URL/);
    });
    it('a log level that does not exist', () => {
      configError({ SECURITY_LOG_LEVEL: 'LOUD' }, 'ERR_WATCHPOST_INVALID_CHOICE', /SECURITY_LOG_LEVEL/, /"LOUD"/, /DEBUG, INFO, WARNING, ERROR, CRITICAL/);
    });
    it('a malformed e-mail address', () => {
      configError({ ALERT_RECIPIENTS: 'ops@example.com, not an address' }, 'ERR_WATCHPOST_INVALID_EMAIL', /ALERT_RECIPIENTS/, /not an address/);
    });
    it('lists: a bad item names the list; a non-string item in an option array is refused, blanks are skipped', () => {
      configError({ IP_ALLOW_LIST: '10.0.0.0/8, 300.1.2.3' }, 'ERR_WATCHPOST_INVALID_CIDR', /IP_ALLOW_LIST/, /300\.1\.2\.3/);
      configError({ EXEMPT_PATHS: '/health,metrics' }, 'ERR_WATCHPOST_INVALID_OPTION', /EXEMPT_PATHS/, /starting with \//);
      for (const bad of [{ allowList: ['10.0.0.0/8', 5] }, { alertRecipients: ['ops@example.com', null] }, { exemptPaths: [{}] }]) {
        assert.throws(() => resolveConfig({ env: {}, ...(bad as object) }), (e: ConfigError) => /^ERR_WATCHPOST_INVALID_/.test(e.code) && e.message.includes(Object.keys(bad)[0]), JSON.stringify(bad));
      }
      assert.deepEqual(resolveConfig({ env: { IP_DENY_LIST: ' 203.0.113.0/24 ,, 2001:db8::/32 ', IP_BLOCK_RULES: 'failed_logins,failed_logins' } }).denyList, ['203.0.113.0/24', '2001:db8::/32']);
    });
    it('an unknown rule id in IP_BLOCK_RULES', () => {
      configError({ IP_BLOCK_RULES: 'failed_logins,everything' }, 'ERR_WATCHPOST_INVALID_CHOICE', /IP_BLOCK_RULES/, /everything/);
    });
    it('a bad assessment anomaly setting names its variable', () => {
      assert.throws(() => resolveConfig({ env: { ANOMALY_THRESHOLD: 'high' } }), (e: ConfigError) => e.code === 'ERR_WATCHPOST_INVALID_ASSESSMENT_OPTION' && /ANOMALY_THRESHOLD/.test(e.message) && /"high"/.test(e.message));
    });

    it('a longest block shorter than the first one', () => {
      configError({ IP_BLOCK_DURATION: '600', IP_BLOCK_MAX_DURATION: '60' }, 'ERR_WATCHPOST_INVALID_NUMBER', /IP_BLOCK_MAX_DURATION/);
    });
  });

  describe('bad options', () => {
    it('an unknown option is refused with a suggestion', () => {
      assert.throws(() => resolveConfig({ env: {}, redisURL: 'x' } as never), (e: ConfigError) => {
        assert.equal(e.code, 'ERR_WATCHPOST_UNKNOWN_OPTION');
        assert.match(e.message, /Did you mean `redisUrl`\?/);
        return true;
      });
    });
    it('an unknown nested option is refused', () => {
      assert.throws(() => resolveConfig({ env: {}, thresholds: { failed_login: {} } } as never), (e: ConfigError) => {
        assert.equal(e.code, 'ERR_WATCHPOST_UNKNOWN_OPTION');
        assert.match(e.message, /thresholds\.failed_login/);
        assert.match(e.message, /failed_logins/);
        return true;
      });
    });
    it('an option of the wrong type names the option', () => {
      assert.throws(() => resolveConfig({ env: {}, thresholds: { failed_logins: { threshold: '5' as never } } }), (e: ConfigError) => {
        assert.equal(e.code, 'ERR_WATCHPOST_INVALID_OPTION');
        assert.match(e.message, /createWatchpost: thresholds\.failed_logins\.threshold/);
        assert.match(e.message, /Expected a number/);
        return true;
      });
      assert.throws(() => resolveConfig({ env: {}, enableIpBlocking: 'yes please' as never }), (e: ConfigError) => {
        assert.equal(e.code, 'ERR_WATCHPOST_INVALID_BOOLEAN');
        assert.match(e.message, /createWatchpost: enableIpBlocking/);
        return true;
      });
    });
  });

  describe('documentation', () => {
    it('docs/configuration.md documents every environment variable', () => {
      const doc = fs.readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
      const missing = Object.keys(ENVIRONMENT_VARIABLES).filter((name) => !new RegExp(`\`${name}\``).test(doc));
      assert.deepEqual(missing, []);
    });
    it('docs/error-codes.md has an entry for every code', () => {
      const doc = fs.readFileSync(path.join(ROOT, 'docs', 'error-codes.md'), 'utf8');
      const missing = Object.keys(ERROR_CODES).filter((code) => !doc.includes(`## ${code}`));
      assert.deepEqual(missing, []);
    });
  });
});
