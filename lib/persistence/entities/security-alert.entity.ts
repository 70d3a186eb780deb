import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A threshold crossing: one row per rule, key and window (seed 002's security_alerts). */
@Entity('security_alerts')
@Index('idx_security_alerts_created_at', ['createdAt'])
@Index('idx_security_alerts_rule_key', ['rule', 'alertKey'])
@Index('idx_security_alerts_status', ['status', 'createdAt'])
export class SecurityAlertEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Rule id, e.g. `failed_logins`. */
  @Column({ type: 'varchar', length: 64 })
  rule!: string;

  /** What was counted: `ip` or `user`. */
  @Column({ name: 'key_type', type: 'varchar', length: 16 })
  keyType!: string;

  /** The IP (or IPv6 prefix) or the normalised user identifier. */
  @Column({ name: 'alert_key', type: 'varchar', length: 320 })
  alertKey!: string;

  /** Events counted in the window; raised as more arrive within it. */
  @Column({ name: 'event_count', type: 'integer' })
  eventCount!: number;

  @Column({ type: 'integer' })
  threshold!: number;

  @Column({ name: 'window_seconds', type: 'integer' })
  windowSeconds!: number;

  @Column({ name: 'first_seen', type: Date })
  firstSeen!: Date;

  @Column({ name: 'last_seen', type: Date })
  lastSeen!: Date;

  @Column({ type: 'varchar', length: 16 })
  severity!: string;

  /** `open`, `acknowledged` or `resolved`. */
  @Column({ type: 'varchar', length: 16, default: 'open' })
  status!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'acknowledged_by', type: 'varchar', length: 128, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'resolved_at', type: Date, nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;
}
