/** Every entity and view, in one list for the DataSource. */
import { AssessmentAnomalyEntity } from './assessment-anomaly.entity';
import { AssessmentBaselineReferenceEntity, AssessmentBaselineSampleEntity } from './assessment-baseline.entity';
import { BlockedIpEntity } from './blocked-ip.entity';
import { SecurityAlertEntity } from './security-alert.entity';
import { SecurityAuditLogEntity } from './security-audit-log.entity';
import { SecurityEventEntity } from './security-event.entity';
import { SecurityMetricEntity } from './security-metric.entity';
import { AssessmentAnomaliesSummaryView, SecurityAlertsSummaryView, SecurityEventsSummaryView } from './summary-views.entity';

export {
  AssessmentAnomalyEntity,
  AssessmentBaselineReferenceEntity,
  AssessmentBaselineSampleEntity,
  BlockedIpEntity,
  SecurityAlertEntity,
  SecurityAuditLogEntity,
  SecurityEventEntity,
  SecurityMetricEntity,
  AssessmentAnomaliesSummaryView,
  SecurityAlertsSummaryView,
  SecurityEventsSummaryView,
};

export const ENTITIES = [
  SecurityEventEntity,
  SecurityAlertEntity,
  AssessmentAnomalyEntity,
  SecurityMetricEntity,
  BlockedIpEntity,
  SecurityAuditLogEntity,
  AssessmentBaselineSampleEntity,
  AssessmentBaselineReferenceEntity,
  SecurityEventsSummaryView,
  SecurityAlertsSummaryView,
  AssessmentAnomaliesSummaryView,
];
