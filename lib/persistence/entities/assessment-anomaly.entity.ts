import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One anomaly found in an assessment submission (seed 002's assessment_anomalies). */
@Entity('assessment_anomalies')
@Index('idx_assessment_anomalies_detected_at', ['detectedAt'])
@Index('idx_assessment_anomalies_user_time', ['userIdentifier', 'detectedAt'])
@Index('idx_assessment_anomalies_type', ['assessmentType', 'anomalyType', 'detectedAt'])
export class AssessmentAnomalyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'detected_at', type: Date })
  detectedAt!: Date;

  @Column({ name: 'user_identifier', type: 'varchar', length: 320, nullable: true })
  userIdentifier!: string | null;

  @Column({ name: 'assessment_type', type: 'varchar', length: 128 })
  assessmentType!: string;

  /** Check id, e.g. `too_fast`, `straight_lining`. */
  @Column({ name: 'anomaly_type', type: 'varchar', length: 64 })
  anomalyType!: string;

  @Column({ type: 'varchar', length: 16 })
  severity!: string;

  @Column({ name: 'source_ip', type: 'varchar', length: 64, nullable: true })
  sourceIp!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  /** The ASSESSMENT_ANOMALY event this row explains. */
  @Column({ name: 'event_id', type: 'varchar', length: 36, nullable: true })
  eventId!: string | null;

  /** `open` until a reviewer marks it `reviewed`. */
  @Column({ type: 'varchar', length: 16, default: 'open' })
  status!: string;

  @Column({ name: 'reviewed_by', type: 'varchar', length: 128, nullable: true })
  reviewedBy!: string | null;

  /** Observed value, baseline figure, threshold. */
  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;
}
