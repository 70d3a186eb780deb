import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One security event (seed 002's security_events). Written in batches, never updated. */
@Entity('security_events')
@Index('idx_security_events_occurred_at', ['occurredAt'])
@Index('idx_security_events_ip_time', ['sourceIp', 'occurredAt'])
@Index('idx_security_events_type_time', ['eventType', 'occurredAt'])
@Index('idx_security_events_user_time', ['userIdentifier', 'occurredAt'])
@Index('idx_security_events_request_id', ['requestId'])
export class SecurityEventEntity {
  /** UUID made when the event was logged; a retried batch cannot insert it twice. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'occurred_at', type: Date })
  occurredAt!: Date;

  @Column({ name: 'event_type', type: 'varchar', length: 48 })
  eventType!: string;

  @Column({ type: 'varchar', length: 16 })
  severity!: string;

  @Column({ name: 'source_ip', type: 'varchar', length: 64, nullable: true })
  sourceIp!: string | null;

  @Column({ name: 'user_identifier', type: 'varchar', length: 320, nullable: true })
  userIdentifier!: string | null;

  @Column({ name: 'request_method', type: 'varchar', length: 16, nullable: true })
  requestMethod!: string | null;

  @Column({ name: 'request_path', type: 'varchar', length: 2048, nullable: true })
  requestPath!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  /** Redacted, capped JSON (jsonb on PostgreSQL). */
  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;
}
