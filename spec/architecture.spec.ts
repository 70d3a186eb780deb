/**
 * Enforces the dependency directions of STYLE.md section 1 by reading every source file
 * under lib/ and checking each import against its folder's rules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assert } from './helpers/counted-assert';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

interface ImportRef {
  readonly spec: string;
  readonly typeOnly: boolean;
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
    }
  }
  return out.sort();
}

function importsOf(source: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const fromRe = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(fromRe)) refs.push({ spec: m[3], typeOnly: Boolean(m[2]) });
  const bareRe = /^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of source.matchAll(bareRe)) refs.push({ spec: m[1], typeOnly: false });
  const requireRe = /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(requireRe)) refs.push({ spec: m[1], typeOnly: false });
  const dynamicRe = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(dynamicRe)) refs.push({ spec: m[1], typeOnly: false });
  return refs;
}

/** Top folder of a lib file ('detection', 'core', ...) or '.' for lib/index.ts. */
function folderOf(file: string): string {
  const rel = path.relative(LIB, file).split(path.sep);
  return rel.length === 1 ? '.' : rel[0];
}

const IO_BUILTINS = new Set(['fs', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'dns', 'tls', 'cluster', 'worker_threads', 'fs/promises', 'readline']);

const ADAPTERS = ['stores', 'persistence', 'alerting', 'metrics', 'logging'];
const ADAPTER_LIBRARIES: Readonly<Record<string, readonly string[]>> = {
  stores: ['redis'],
  persistence: ['typeorm', 'pg', 'better-sqlite3'],
  alerting: ['nodemailer'],
  metrics: ['prom-client'],
  logging: ['winston'],
};

function packageName(spec: string): string {
  if (spec.startsWith('@')) return spec.split('/').slice(0, 2).join('/');
  return spec.split('/')[0];
}

/** Returns a reason when the import breaks a rule, else undefined. */
function violation(fromFolder: string, file: string, ref: ImportRef): string | undefined {
  const isRelative = ref.spec.startsWith('.');
  const isBuiltin = ref.spec.startsWith('node:');
  let target: string | undefined;
  let targetFile: string | undefined;
  if (isRelative) {
    targetFile = path.resolve(path.dirname(file), ref.spec);
    const rel = path.relative(LIB, targetFile);
    if (rel.startsWith('..')) return `imports outside lib/: ${ref.spec}`;
    target = rel.split(path.sep).length === 1 ? '.' : rel.split(path.sep)[0];
  }
  const builtinName = isBuiltin ? ref.spec.slice('node:'.length) : undefined;

  switch (fromFolder) {
    case 'detection':
      if (isRelative) {
        if (target === 'detection') return undefined;
        if (target === 'core' && path.basename(targetFile as string) === 'types' && ref.typeOnly) return undefined;
        return `detection/ may only \`import type\` from core/types.ts, not ${ref.spec}`;
      }
      if (isBuiltin) return IO_BUILTINS.has(builtinName as string) ? `detection/ is pure: no ${ref.spec}` : undefined;
      return `detection/ is pure: no third-party package (${ref.spec})`;
    case 'core':
      if (isRelative) {
        if (target === 'core' || target === 'detection') return undefined;
        if (target === 'config' && ref.typeOnly) return undefined;
        return `core/ may import detection/ and config/ types only, not ${ref.spec}`;
      }
      if (isBuiltin) return undefined;
      return `core/ imports no third-party runtime package (${ref.spec})`;
    case 'config':
      if (isRelative) {
        if (target === 'config') return undefined;
        if (target === 'core') return undefined;
        return `config/ may import core/ only, not ${ref.spec}`;
      }
      if (isBuiltin) return undefined;
      return `config/ imports no third-party package (${ref.spec})`;
    case 'http':
      if (isRelative) {
        if (target === 'http' || target === 'core' || target === 'config' || target === 'detection') return undefined;
        if (ref.typeOnly) return undefined;
        return `http/ must not import ${target}/ at run time (adapters are injected): ${ref.spec}`;
      }
      if (isBuiltin) return undefined;
      if (['express', 'helmet', 'express-rate-limit'].includes(packageName(ref.spec))) return undefined;
      return `http/ may use express, helmet and express-rate-limit only, not ${ref.spec}`;
    case 'decorators':
      if (isRelative) {
        if (target === 'decorators' || target === 'config') return undefined;
        if (target === 'core' && ref.typeOnly) return undefined;
        if (target === 'core' && path.basename(targetFile as string) === 'errors') return undefined;
        if (target === 'http' && path.basename(targetFile as string) === 'policy-runtime') return undefined;
        return `decorators/ may import config/, core types and http/policy-runtime only, not ${ref.spec}`;
      }
      if (ref.spec === 'reflect-metadata') {
        return path.basename(file) === 'metadata.ts' ? undefined : 'only decorators/metadata.ts may import reflect-metadata';
      }
      return `decorators/ do no I/O and use no package but reflect-metadata (${ref.spec})`;
    default:
      if (ADAPTERS.includes(fromFolder)) {
        if (isRelative) {
          if (target === fromFolder || target === 'core') return undefined;
          if (target === 'config' && ref.typeOnly) return undefined;
          return `${fromFolder}/ may import core/ only, not ${ref.spec}`;
        }
        if (isBuiltin) return undefined;
        const allowed = ADAPTER_LIBRARIES[fromFolder];
        return allowed.includes(packageName(ref.spec)) ? undefined : `${fromFolder}/ may use ${allowed.join(', ')} only, not ${ref.spec}`;
      }
      return undefined; // lib/index.ts and cli/ assemble adapters
  }
}

describe('architecture: import directions (STYLE.md section 1)', () => {
  const files = listSources(LIB);

  it('finds the sources under lib/', () => {
    assert.ok(files.length > 0, `no sources under ${LIB}`);
  });

  it('every import respects its folder rules', () => {
    const problems: string[] = [];
    for (const file of files) {
      const folder = folderOf(file);
      for (const ref of importsOf(fs.readFileSync(file, 'utf8'))) {
        const why = violation(folder, file, ref);
        if (why) problems.push(`${path.relative(LIB, file)}: ${why}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the checker itself rejects a forbidden import', () => {
    const fake = path.join(LIB, 'detection', 'x.ts');
    assert.match(String(violation('detection', fake, { spec: 'express', typeOnly: false })), /pure/);
    assert.match(String(violation('detection', fake, { spec: '../stores/memory-store', typeOnly: false })), /import type/);
    assert.equal(violation('detection', fake, { spec: '../core/types', typeOnly: true }), undefined);
    const http = path.join(LIB, 'http', 'x.ts');
    assert.match(String(violation('http', http, { spec: '../stores/redis-store', typeOnly: false })), /injected/);
  });
});
