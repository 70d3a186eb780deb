import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One accepted (or pattern-only) submission per user and assessment type: the raw material of a baseline. */
@Entity('assessment_baseline_samples')
@Index('idx_baseline_samples_type_at', ['assessmentType', 'atMs'])
export class AssessmentBaselineSampleEntity {
  @PrimaryColumn({ name: 'assessment_type', type: 'varchar', length: 128 })
  assessmentType!: string;

  @PrimaryColumn({ name: 'user_key', type: 'varchar', length: 320 })
  userKey!: string;

  /** Submission time in ms since the epoch. */
  @Column({ name: 'at_ms', type: 'bigint' })
  atMs!: string;

  /** The sample (times, score, pattern bits; no answers, no free text). */
  @Column({ type: 'simple-json' })
  sample!: Record<string, unknown>;
}

/** The frozen reference snapshot of an assessment type (poisoning resistance). */
@Entity('assessment_baseline_references')
export class AssessmentBaselineReferenceEntity {
  @PrimaryColumn({ name: 'assessment_type', type: 'varchar', length: 128 })
  assessmentType!: string;

  /** When it was frozen (ms); the compare-and-set token. */
  @Column({ name: 'frozen_at_ms', type: 'bigint' })
  frozenAtMs!: string;

  @Column({ type: 'simple-json' })
  reference!: Record<string, unknown>;
}
