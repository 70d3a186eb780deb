import { ViewColumn, ViewEntity } from 'typeorm';

// The views are created by the migration (SQL differs by database); these classes only read them.

/** Hourly counts of events by type and severity. */
@ViewEntity({ name: 'security_events_summary', synchronize: false })
export class SecurityEventsSummaryView {
  @ViewColumn() hour!: string;
  @ViewColumn({ name: 'event_type' }) eventType!: string;
  @ViewColumn() severity!: string;
  @ViewColumn({ name: 'event_count' }) eventCount!: number;
  @ViewColumn({ name: 'unique_ips' }) uniqueIps!: number;
  @ViewColumn({ name: 'unique_users' }) uniqueUsers!: number;
}

/** Hourly counts of alerts by rule, severity and status. */
@ViewEntity({ name: 'security_alerts_summary', synchronize: false })
export class SecurityAlertsSummaryView {
  @ViewColumn() hour!: string;
  @ViewColumn() rule!: string;
  @ViewColumn() severity!: string;
  @ViewColumn() status!: string;
  @ViewColumn({ name: 'alert_count' }) alertCount!: number;
  @ViewColumn({ name: 'unique_keys' }) uniqueKeys!: number;
}

/** Hourly counts of assessment anomalies by assessment type and check. */
@ViewEntity({ name: 'assessment_anomalies_summary', synchronize: false })
export class AssessmentAnomaliesSummaryView {
  @ViewColumn() hour!: string;
  @ViewColumn({ name: 'assessment_type' }) assessmentType!: string;
  @ViewColumn({ name: 'anomaly_type' }) anomalyType!: string;
  @ViewColumn() severity!: string;
  @ViewColumn({ name: 'anomaly_count' }) anomalyCount!: number;
  @ViewColumn({ name: 'unique_users' }) uniqueUsers!: number;
}
