/**
 * Server-side JavaScript injection: code meant for `eval`, `Function`, `vm` or a template
 * engine on a Node.js server. It reaches for the process (`process.mainModule`,
 * `require` of child_process, `global.process`) or for the Function constructor through
 * any object (`this.constructor.constructor('return process')()`).
 */
import type { NormalizedValue } from './normalize';
import type { FindingList } from './findings';

/** Rule ids and scores (see docs/detection.md). */
export const SSJS_RULES = {
  nodeApi: { id: 'ssjs.node_api', score: 9 },
  functionConstructor: { id: 'ssjs.function_constructor', score: 9 },
  ioModule: { id: 'ssjs.node_api', score: 6 },
  processAccess: { id: 'ssjs.process_access', score: 5 },
} as const;

/** Node.js modules that run commands or code: loading one is the point of the attack. */
const EXEC_MODULES = ['child_process', 'vm', 'worker_threads', 'cluster'];
/** Modules that reach files and the network: code snippets load them too, so they weigh less. */
const IO_MODULES = ['fs', 'net', 'os', 'http', 'https', 'dgram', 'process', 'fs/promises'];

/** Member chains that reach the running process. */
const PROCESS_MARKERS = ['process.mainmodule', 'process.binding(', 'process.dlopen(', 'global.process.', 'globalthis.process.', 'module.constructor._load', 'require.main.require'];
/** Process members that code snippets use too. */
const PROCESS_WEAK_MARKERS = ['process.kill(', 'process.exit(', 'process.env', 'process.cwd(', 'process.version'];

function isIdent(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}

/** Scans one value; adds at most one `ssjs.*` finding to `out`. */
export function scanSsjs(nv: NormalizedValue, out: FindingList): void {
  const t = nv.markup;
  let best = 0;
  let rule = '';
  let at = 0;
  const take = (r: { id: string; score: number }, s: number): void => {
    if (r.score > best) {
      best = r.score;
      rule = r.id;
      at = s;
    }
  };
  // require or import of a module by name: child_process, vm, fs...
  for (const fn of ['require', 'import']) {
    let i = t.indexOf(fn);
    while (i >= 0) {
      let k = i + fn.length;
      if ((i === 0 || !isIdent(t.charCodeAt(i - 1))) && k < t.length) {
        while (k < t.length && k - i < 12 && t.charCodeAt(k) === 32) k++;
        if (t.charCodeAt(k) === 40) {
          k++;
          while (k < t.length && k - i < 16 && t.charCodeAt(k) === 32) k++;
          const q = t.charCodeAt(k);
          if (q === 39 || q === 34 || q === 96) {
            let e = k + 1;
            while (e < t.length && e - k < 24 && t.charCodeAt(e) !== q) e++;
            let name = t.slice(k + 1, e);
            if (name.startsWith('node:')) name = name.slice(5);
            if (EXEC_MODULES.includes(name)) take(SSJS_RULES.nodeApi, i);
            else if (IO_MODULES.includes(name)) take(SSJS_RULES.ioModule, i);
          }
        }
      }
      i = t.indexOf(fn, i + fn.length);
    }
  }
  if (t.indexOf('process') >= 0) {
    for (const m of PROCESS_MARKERS) {
      const i = t.indexOf(m);
      if (i >= 0 && (i === 0 || !isIdent(t.charCodeAt(i - 1)))) take(SSJS_RULES.nodeApi, i);
    }
    for (const m of PROCESS_WEAK_MARKERS) {
      const i = t.indexOf(m);
      if (i >= 0 && (i === 0 || !isIdent(t.charCodeAt(i - 1)))) take(SSJS_RULES.processAccess, i);
    }
  }
  // x.constructor.constructor(...) / constructor('return process')() / Function('return this')()
  const cc = t.indexOf('constructor.constructor');
  if (cc >= 0) take(SSJS_RULES.functionConstructor, cc);
  for (const f of ['function(', 'constructor(']) {
    let i = t.indexOf(f);
    while (i >= 0) {
      if (i > 0 && isIdent(t.charCodeAt(i - 1))) {
        // `AsyncFunction(`, `myconstructor(`: another name
        i = t.indexOf(f, i + f.length);
        continue;
      }
      const arg = t.slice(i + f.length, i + f.length + 40).trimStart();
      const q = arg.charCodeAt(0);
      if ((q === 39 || q === 34 || q === 96) && arg.slice(1, 16).startsWith('return ')) {
        take(SSJS_RULES.functionConstructor, i);
        break;
      }
      i = t.indexOf(f, i + f.length);
    }
  }
  if (best > 0) out.add('ssjs', rule, best, t, at, at + 50);
}
