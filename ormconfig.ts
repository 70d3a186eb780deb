/**
 * The TypeORM DataSource for DATABASE_URL (DATABASE_SCHEMA), for the TypeORM CLI:
 *   npx typeorm migration:run -d dist/ormconfig.js
 *   npx typeorm migration:show -d dist/ormconfig.js
 * `npm run migrate` (watchpost migrate) does the same with watchpost's own command.
 */
import 'reflect-metadata';
import { resolveConfig } from './lib/config/settings';
import { createDataSource } from './lib/persistence/data-source';

const config = resolveConfig();
const db = config.database;

const dataSource = createDataSource({
  kind: db.kind,
  path: db.kind === 'sqlite' ? db.path : undefined,
  url: db.url,
  schema: db.schema,
  connectTimeoutMs: db.connectTimeoutMs,
});

export default dataSource;
