import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Tables of the shared, durable assessment baselines. */
export class AssessmentBaselines1732000000001 implements MigrationInterface {
  name = 'AssessmentBaselines1732000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    const pg = queryRunner.connection.driver.options.type === 'postgres';
    const json = pg ? 'jsonb' : 'text';
    await queryRunner.createTable(
      new Table({
        name: 'assessment_baseline_samples',
        columns: [
          { name: 'assessment_type', type: 'varchar', length: '128', isPrimary: true },
          { name: 'user_key', type: 'varchar', length: '320', isPrimary: true },
          { name: 'at_ms', type: 'bigint', isNullable: false },
          { name: 'sample', type: json, isNullable: false },
        ],
        indices: [new TableIndex({ name: 'idx_baseline_samples_type_at', columnNames: ['assessment_type', 'at_ms'] })],
      }),
      true,
    );
    await queryRunner.createTable(
      new Table({
        name: 'assessment_baseline_references',
        columns: [
          { name: 'assessment_type', type: 'varchar', length: '128', isPrimary: true },
          { name: 'frozen_at_ms', type: 'bigint', isNullable: false },
          { name: 'reference', type: json, isNullable: false },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('assessment_baseline_references', true);
    await queryRunner.dropTable('assessment_baseline_samples', true);
  }
}
