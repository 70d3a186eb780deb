#!/usr/bin/env node
'use strict';
/**
 * Runs the compiled specs (dist/spec) with mocha. `npm test` builds first (pretest).
 * Extra arguments are passed to mocha, e.g. `npm test -- --grep store`.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const specDir = path.join(root, 'dist', 'spec');
if (!fs.existsSync(specDir)) {
  console.error('dist/spec is missing: run `npm run build` first (npm test does it for you).');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

if (!process.env.REDIS_URL) console.log('REDIS_URL is not set: Redis tests are not registered (memory store only).');
if (!process.env.DATABASE_URL || !/^postgres(ql)?:/.test(process.env.DATABASE_URL)) {
  console.log('DATABASE_URL does not point at PostgreSQL: persistence tests run on SQLite only.');
}

const args = [
  require.resolve('mocha/bin/mocha.js'),
  '--require', path.join(root, 'dist', 'spec', 'helpers', 'root-hooks.js'),
  '--reporter', path.join(root, 'spec', 'helpers', 'summary-reporter.js'),
  '--forbid-only',
  '--forbid-pending',
  '--timeout', '30000',
  '--exit',
  '--recursive',
  path.join('dist', 'spec', '**', '*.spec.js'),
  ...process.argv.slice(2),
];
const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root, env: process.env });
process.exit(result.status === null ? 1 : result.status);
