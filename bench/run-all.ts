/**
 * `npm run bench`: runs every compiled `bench/*.bench.js` in its own process, one after
 * the other, and lets each print its figures. A name filter may be given:
 * `npm run bench -- detection`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const filters = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file.replace(/\.js$/, '')} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, file)], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    failed += 1;
    console.log(`(${file} exited with ${r.status})`);
  }
}
if (files.length === 0) console.log('no benchmark matched');
process.exitCode = failed > 0 ? 1 : 0;
