/**
 * A deliberately small stand-in for the injection engine, used until lib/detection's
 * engine is wired in: a few mechanism-based patterns per class, scored 0 or 10.
 */
import type { AttackKind, Finding, ScanVerdict, ValueLocation } from '../core/types';

const RULES: ReadonlyArray<{ kind: AttackKind; id: string; re: RegExp }> = [
  { kind: 'sqli', id: 'sqli.tautology', re: /['"`]\s*\)?\s*(?:or|and|\|\||&&)\s+['"`(\w]+\s*(?:=|like|>|<)/i },
  { kind: 'sqli', id: 'sqli.union', re: /\bunion\b[\s(]+(?:all\s+|distinct\s+)?select\b/i },
  { kind: 'sqli', id: 'sqli.stacked', re: /;\s*(?:drop\s+(?:table|database|view|index)|delete\s+from|insert\s+into|update\s+\w+\s+set|exec(?:ute)?\s+\w|shutdown\b|create\s+(?:table|user)|alter\s+table)\b/i },
  { kind: 'sqli', id: 'sqli.comment', re: /['"]\s*(?:--|#|\/\*)/ },
  { kind: 'xss', id: 'xss.script', re: /<\s*\/?\s*(?:script|iframe|object|embed|svg|img|body|math|style|link|meta)\b[^>]*?(?:>|\bon[a-z]+\s*=|src\s*=)/i },
  { kind: 'xss', id: 'xss.handler', re: /<[a-z][^>]*\son[a-z]{3,}\s*=/i },
  { kind: 'xss', id: 'xss.js-url', re: /\b(?:javascript|vbscript)\s*:/i },
  { kind: 'cmdi', id: 'cmdi.separator', re: /(?:[;&|`\n]|\$\()\s*(?:cat|ls|id|whoami|uname|wget|curl|nc|bash|sh|ping|sleep|echo|rm|chmod|python|perl)\b/ },
  { kind: 'path', id: 'path.climb', re: /(?:^|[\\/])\.\.(?:[\\/]|$)/ },
  { kind: 'path', id: 'path.target', re: /(?:\/etc\/(?:passwd|shadow|hosts)|boot\.ini|win\.ini|\/proc\/self)/i },
];
const NOSQL_KEY = /^\$(?:ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|expr|or|and|not|nor|elemMatch|size|all)$/;
const PROTO_KEY = /^(?:__proto__|constructor|prototype)$/;

function verdictOf(findings: Finding[], incomplete?: ScanVerdict['incomplete']): ScanVerdict {
  const score = findings.reduce((m, f) => Math.max(m, f.score), 0);
  return { attack: score >= 10, score, kinds: [...new Set(findings.map((f) => f.kind))], findings, ...(incomplete ? { incomplete } : {}) };
}

function snippet(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/** Creates the interim scanner. */
export function createInterimScanner(): { scanValue(value: string, location?: ValueLocation, path?: string): ScanVerdict; scanObject(root: unknown, location: ValueLocation, pathPrefix?: string): ScanVerdict } {
  const scanString = (value: string, location: ValueLocation, path: string, out: Finding[]) => {
    let v = value;
    for (let i = 0; i < 2 && /%[0-9a-f]{2}/i.test(v); i += 1) {
      try {
        v = decodeURIComponent(v);
      } catch {
        break;
      }
    }
    for (const r of RULES) if (r.re.test(v)) out.push({ kind: r.kind, ruleId: r.id, score: 10, location, path, snippet: snippet(value) });
  };
  return {
    scanValue(value, location = 'text', path = '') {
      const out: Finding[] = [];
      scanString(value, location, path, out);
      return verdictOf(out);
    },
    scanObject(root, location, pathPrefix = '') {
      const out: Finding[] = [];
      const keyLocation: ValueLocation = location === 'query' ? 'query_key' : location === 'body' ? 'body_key' : location;
      const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: root, path: pathPrefix, depth: 0 }];
      let seen = 0;
      while (stack.length > 0) {
        const { v, path, depth } = stack.pop() as { v: unknown; path: string; depth: number };
        seen += 1;
        if (seen > 10_000) return verdictOf(out, { reason: 'items', path });
        if (depth > 32) return verdictOf(out, { reason: 'depth', path });
        if (typeof v === 'string') scanString(v, location, path, out);
        else if (Array.isArray(v)) v.forEach((item, i) => stack.push({ v: item, path: `${path}[${i}]`, depth: depth + 1 }));
        else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
          for (const key of Object.keys(v)) {
            const p = path ? `${path}.${key}` : key;
            if (NOSQL_KEY.test(key) || /\[\$[a-z]+\]/i.test(key)) out.push({ kind: 'nosqli', ruleId: 'nosqli.operator-key', score: 10, location: keyLocation, path: p, snippet: snippet(key) });
            if (PROTO_KEY.test(key) || /\[(?:__proto__|constructor|prototype)\]/.test(key)) out.push({ kind: 'proto', ruleId: 'proto.key', score: 10, location: keyLocation, path: p, snippet: snippet(key) });
            else scanString(key, keyLocation, p, out);
            stack.push({ v: (v as Record<string, unknown>)[key], path: p, depth: depth + 1 });
          }
        }
      }
      return verdictOf(out);
    },
  };
}
