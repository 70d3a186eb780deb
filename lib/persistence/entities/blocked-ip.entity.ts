import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** The block state of one IP or IPv6 prefix (seed 002's blocked_ips); history is in the events. */
@Entity('blocked_ips')
@Index('idx_blocked_ips_expires_at', ['expiresAt'])
export class BlockedIpEntity {
  /** Canonical IPv4 address or IPv6 prefix (`2001:db8:0:ab00::/56`). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  ip!: string;

  @Column({ type: 'varchar', length: 256 })
  reason!: string;

  /** Threshold rule that blocked it, or null for a manual block. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  rule!: string | null;

  @Column({ name: 'blocked_at', type: Date })
  blockedAt!: Date;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  /** How many times this IP has been blocked (each block lasts longer). */
  @Column({ name: 'block_count', type: 'integer', default: 1 })
  blockCount!: number;

  @Column({ name: 'unblocked_at', type: Date, nullable: true })
  unblockedAt!: Date | null;

  /** Who lifted the block early. */
  @Column({ name: 'unblocked_by', type: 'varchar', length: 128, nullable: true })
  unblockedBy!: string | null;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;

  @Column({ type: 'simple-json' })
  details!: Record<string, unknown>;
}
