import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

type Dialect = 'postgres' | 'sqlite';

function dialectOf(queryRunner: QueryRunner): Dialect {
  const type = queryRunner.connection.driver.options.type;
  return type === 'postgres' ? 'postgres' : 'sqlite';
}

/** Column types that differ between the two databases. */
function types(d: Dialect) {
  return d === 'postgres'
    ? { time: 'timestamptz', json: 'jsonb', double: 'double precision', int: 'integer' }
    : { time: 'datetime', json: 'text', double: 'real', int: 'integer' };
}

/** The hourly summary views, in each dialect. */
function summaryViews(d: Dialect): Record<string, string> {
  const hour = (col: string) => (d === 'postgres' ? `date_trunc('hour', ${col})` : `strftime('%Y-%m-%d %H:00:00', ${col})`);
  return {
    security_events_summary: `SELECT ${hour('occurred_at')} AS hour, event_type, severity,
        COUNT(*) AS event_count, COUNT(DISTINCT source_ip) AS unique_ips, COUNT(DISTINCT user_identifier) AS unique_users
      FROM security_events GROUP BY ${hour('occurred_at')}, event_type, severity`,
    security_alerts_summary: `SELECT ${hour('created_at')} AS hour, rule, severity, status,
        COUNT(*) AS alert_count, COUNT(DISTINCT alert_key) AS unique_keys
      FROM security_alerts GROUP BY ${hour('created_at')}, rule, severity, status`,
    assessment_anomalies_summary: `SELECT ${hour('detected_at')} AS hour, assessment_type, anomaly_type, severity,
        COUNT(*) AS anomaly_count, COUNT(DISTINCT user_identifier) AS unique_users
      FROM assessment_anomalies GROUP BY ${hour('detected_at')}, assessment_type, anomaly_type, severity`,
  };
}

/**
 * The six tables of seed 002, their indexes and the three hourly summary views, on
 * PostgreSQL and SQLite.
 */
export class InitialSchema1732000000000 implements MigrationInterface {
  name = 'InitialSchema1732000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const d = dialectOf(queryRunner);
    const t = types(d);
    const str = (name: string, length: number, nullable = false) => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const time = (name: string, nullable = false) => ({ name, type: t.time, isNullable: nullable });
    const json = (name = 'details') => ({ name, type: t.json, isNullable: false, default: d === 'postgres' ? `'{}'::jsonb` : `'{}'` });
    const int = (name: string, dflt?: number) => ({ name, type: t.int, isNullable: false, ...(dflt === undefined ? {} : { default: String(dflt) }) });

    await queryRunner.createTable(
      new Table({
        name: 'security_events',
        columns: [
          { ...str('id', 36), isPrimary: true },
          time('occurred_at'),
          str('event_type', 48),
          str('severity', 16),
          str('source_ip', 64, true),
          str('user_identifier', 320, true),
          str('request_method', 16, true),
          str('request_path', 2048, true),
          str('user_agent', 512, true),
          str('request_id', 128, true),
          json(),
        ],
        indices: [
          new TableIndex({ name: 'idx_security_events_occurred_at', columnNames: ['occurred_at'] }),
          new TableIndex({ name: 'idx_security_events_ip_time', columnNames: ['source_ip', 'occurred_at'] }),
          new TableIndex({ name: 'idx_security_events_type_time', columnNames: ['event_type', 'occurred_at'] }),
          new TableIndex({ name: 'idx_security_events_user_time', columnNames: ['user_identifier', 'occurred_at'] }),
          new TableIndex({ name: 'idx_security_events_request_id', columnNames: ['request_id'] }),
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'security_alerts',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('rule', 64),
          str('key_type', 16),
          str('alert_key', 320),
          int('event_count'),
          int('threshold'),
          int('window_seconds'),
          time('first_seen'),
          time('last_seen'),
          str('severity', 16),
          { ...str('status', 16), default: `'open'` },
          time('created_at'),
          str('acknowledged_by', 128, true),
          time('resolved_at', true),
          json(),
        ],
        indices: [
          new TableIndex({ name: 'idx_security_alerts_created_at', columnNames: ['created_at'] }),
          new TableIndex({ name: 'idx_security_alerts_rule_key', columnNames: ['rule', 'alert_key'] }),
          new TableIndex({ name: 'idx_security_alerts_status', columnNames: ['status', 'created_at'] }),
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'assessment_anomalies',
        columns: [
          { ...str('id', 36), isPrimary: true },
          time('detected_at'),
          str('user_identifier', 320, true),
          str('assessment_type', 128),
          str('anomaly_type', 64),
          str('severity', 16),
          str('source_ip', 64, true),
          str('request_id', 128, true),
          str('event_id', 36, true),
          { ...str('status', 16), default: `'open'` },
          str('reviewed_by', 128, true),
          json(),
        ],
        indices: [
          new TableIndex({ name: 'idx_assessment_anomalies_detected_at', columnNames: ['detected_at'] }),
          new TableIndex({ name: 'idx_assessment_anomalies_user_time', columnNames: ['user_identifier', 'detected_at'] }),
          new TableIndex({ name: 'idx_assessment_anomalies_type', columnNames: ['assessment_type', 'anomaly_type', 'detected_at'] }),
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'security_metrics',
        columns: [
          { name: 'id', type: t.int, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          time('recorded_at'),
          str('metric_name', 128),
          { name: 'metric_value', type: t.double, isNullable: false },
          json('labels'),
        ],
        indices: [new TableIndex({ name: 'idx_security_metrics_name_time', columnNames: ['metric_name', 'recorded_at'] })],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'blocked_ips',
        columns: [
          { ...str('ip', 64), isPrimary: true },
          str('reason', 256),
          str('rule', 64, true),
          time('blocked_at'),
          time('expires_at'),
          int('block_count', 1),
          time('unblocked_at', true),
          str('unblocked_by', 128, true),
          time('updated_at'),
          json(),
        ],
        indices: [new TableIndex({ name: 'idx_blocked_ips_expires_at', columnNames: ['expires_at'] })],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'security_audit_log',
        columns: [
          { ...str('id', 36), isPrimary: true },
          time('occurred_at'),
          str('actor', 128),
          str('action', 64),
          str('target', 320, true),
          str('source_ip', 64, true),
          json(),
        ],
        indices: [
          new TableIndex({ name: 'idx_security_audit_log_time', columnNames: ['occurred_at'] }),
          new TableIndex({ name: 'idx_security_audit_log_actor_time', columnNames: ['actor', 'occurred_at'] }),
        ],
      }),
      true,
    );

    for (const [name, select] of Object.entries(summaryViews(d))) {
      await queryRunner.query(`CREATE VIEW ${name} AS ${select}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of Object.keys(summaryViews(dialectOf(queryRunner)))) {
      await queryRunner.query(`DROP VIEW IF EXISTS ${name}`);
    }
    for (const table of ['security_audit_log', 'blocked_ips', 'security_metrics', 'assessment_anomalies', 'security_alerts', 'security_events']) {
      await queryRunner.dropTable(table, true);
    }
  }
}
