import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who did what to the security data (seed 002's security_audit_log); kept 365 days. */
@Entity('security_audit_log')
@Index('idx_security_audit_log_time', ['occurredAt'])
@Index('idx_security_audit_log_actor_time', ['actor', 'occurredAt'])
export class SecurityAuditLogEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'occurred_at', type: Date })
  occurredAt!: Date;

  @Column({ type: 'varchar', length: 128 })
  actor!: string;

  /** e.g. `ip.unblock`, `alert.acknowledge`, `retention.run`. */
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  target!: string | null;

  @Column({ name: 'source_ip', type: 'varchar', length: 64, nullable: true })
  sourceIp!: string | null;

  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;
}
