import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A periodic snapshot of a security figure (seed 002's security_metrics). */
@Entity('security_metrics')
@Index('idx_security_metrics_name_time', ['metricName', 'recordedAt'])
export class SecurityMetricEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'recorded_at', type: Date })
  recordedAt!: Date;

  @Column({ name: 'metric_name', type: 'varchar', length: 128 })
  metricName!: string;

  @Column({ name: 'metric_value', type: 'double precision' })
  metricValue!: number;

  @Column({ type: 'simple-json' })
  labels!: Record<string, string>;
}
