/**
 * The seam through which the assessment detector asks "is this free-text answer an injection
 * attempt?", and a small STAND-IN scanner to use until the project's injection engine lands.
 *
 * The real engine (`createInjectionDetector().scanValue(value, 'text')`, returning a
 * `ScanVerdict`) already has the right shape: pass `(v) => engine.scanValue(v, 'text')` as the
 * `TextScanner`. The stand-in below is deliberately small and conservative; it is not the
 * project's injection detection and should be replaced, not extended.
 */

/** What a text scanner says about one string. `ScanVerdict` from core/types.ts satisfies it. */
export interface TextScanResult {
  readonly attack: boolean;
  readonly kinds: readonly string[];
  readonly score: number;
}

/** Scans one free-text value. Must be synchronous, total (never throw) and bounded in time. */
export type TextScanner = (value: string) => TextScanResult;

interface StandInRule {
  readonly kind: 'sqli' | 'xss' | 'cmdi' | 'path' | 'nosqli';
  readonly re: RegExp;
}

// Each rule needs syntax, not words: a lone apostrophe (O'Brien), "select a plan",
// "drop me a line", "a < b" or a code snippet in prose must not match. All patterns are
// linear (no nested quantifiers over overlapping classes), and input is capped in length.
const STAND_IN_RULES: readonly StandInRule[] = [
  // SQL: quote then boolean tautology, stacked query, comment; UNION SELECT; time delays.
  { kind: 'sqli', re: /['"`]\s*\)?\s*(or|and|\|\||&&)\s*\(?\s*['"`]?\w*['"`]?\s*(=|<>|!=|\blike\b|>|<)/i },
  { kind: 'sqli', re: /['"`]\s*\)?\s*(or|and)\s+\d+\s*(=|<>|>|<)\s*\d+/i },
  { kind: 'sqli', re: /\bunion\b(\s+|\/\*.*?\*\/)+(all\s+|distinct\s+)?select\b/i },
  { kind: 'sqli', re: /['"`)]\s*;\s*(drop|delete|insert|update|truncate|alter|create|exec|shutdown|select|declare)\b/i },
  { kind: 'sqli', re: /;\s*(drop|truncate)\s+(table|database)\b/i },
  { kind: 'sqli', re: /['"`]\)?(--|#|\/\*)|['"`]\s*\)?\s*(--|#)\s*$/ },
  // A closing quote, an SQL clause, and a comment that cuts off the rest of the query.
  { kind: 'sqli', re: /['"`]\s*\)?\s*(order\s+by|group\s+by|having|union|where|limit|and|or)\b[^\n]{0,80}?(--|#|\/\*)\s*$/i },
  { kind: 'sqli', re: /\b(sleep|pg_sleep|benchmark)\s*\(\s*\d|\bwaitfor\s+delay\s+['"]/i },
  { kind: 'sqli', re: /\bselect\b[^;]{0,200}\bfrom\b[^;]{0,200}\b(information_schema|sysobjects|pg_catalog|sqlite_master|mysql\.user)\b/i },
  { kind: 'sqli', re: /\b(load_file\s*\(|into\s+(out|dump)file\b|xp_cmdshell\b)/i },
  // XSS: script-capable tags, event handlers inside a tag, script URLs.
  { kind: 'xss', re: /<\s*\/?\s*(script|iframe|object|embed|applet)\b/i },
  { kind: 'xss', re: /<[a-z][^>]*?[\s/]on[a-z]{3,}\s*=/i },
  { kind: 'xss', re: /\b(javascript|vbscript|livescript):(?=\S)/i },
  { kind: 'xss', re: /\bdata\s*:\s*text\/html|\bsrcdoc\s*=/i },
  // Shell: a separator (; & | backtick, $( ) followed by a command and an argument.
  { kind: 'cmdi', re: /([;&|`]|\$\()\s*(cat|ls|rm|wget|curl|nc|ncat|bash|sh|zsh|python[23]?|perl|php|whoami|id|uname|ping|nslookup|chmod|chown|echo|sleep|powershell|cmd)(\s+(-{1,2}[a-z]|\/|~|\d|[a-z0-9-]+\.[a-z]{2,}\b|\$)|\s*$|\s*[;&|`)])/i },
  { kind: 'cmdi', re: /\$\(\s*[a-z]+[^)]*\)|`\s*(cat|ls|id|whoami|uname|wget|curl|rm|sleep)\b[^`]*`/i },
  { kind: 'cmdi', re: /\|\|?\s*(nc|ncat|bash|sh)\b|>\s*\/dev\/tcp\//i },
  // Path traversal: two consecutive parent-directory steps (raw or encoded), or a sensitive file.
  { kind: 'path', re: /(\.{2,}|%2e%2e|%252e%252e|\.%2e|%2e\.)(\/+|\\+|%2f|%5c|%252f)(\.{2,}|%2e%2e|%252e%252e|\.%2e|%2e\.)(\/|\\|%2f|%5c|%252f|$)/i },
  { kind: 'path', re: /(\.\.[\/\\]|%2e%2e%2f).{0,64}(etc\/(passwd|shadow|hosts)|win\.ini|boot\.ini|system32)/i },
  { kind: 'path', re: /^\s*(\/etc\/(passwd|shadow)\b|c:\\windows\\)/i },
  // NoSQL: query operators as JSON keys or in bracket syntax, $where, shell calls.
  { kind: 'nosqli', re: /[{,]\s*["']?\$(ne|eq|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|not|expr|function)["']?\s*:/i },
  { kind: 'nosqli', re: /\[\s*\$(ne|gt|gte|lt|lte|regex|where|exists|in|nin)\s*\]/i },
  { kind: 'nosqli', re: /\$where\b|\bdb\.[a-z_]+\.(find|drop|remove|insert)\s*\(/i },
];

/** Longest string the stand-in looks at; longer input is cut (bounded time). */
const STAND_IN_MAX_LENGTH = 8192;

/**
 * A small, conservative STAND-IN for the project's injection engine: a score of 1 per
 * matching rule, `attack` when any rule matches. Catches the textbook forms of SQL injection,
 * XSS, shell injection, path traversal and NoSQL operator injection; lets benign look-alikes
 * through ("O'Brien", "select a plan", prose about code). Replace it with the real engine.
 */
export function createStandInTextScanner(): TextScanner {
  return function standInTextScanner(value: string): TextScanResult {
    if (typeof value !== 'string' || value.length === 0) return { attack: false, kinds: [], score: 0 };
    let text = value.length > STAND_IN_MAX_LENGTH ? value.slice(0, STAND_IN_MAX_LENGTH) : value;
    // One round of URL decoding, so %3Cscript%3E is seen; a malformed escape leaves the text as is.
    if (text.includes('%')) {
      try {
        text = `${text}\n${decodeURIComponent(text.replace(/\+/g, ' '))}`;
      } catch {
        // keep the raw text
      }
    }
    const kinds: string[] = [];
    let score = 0;
    for (const rule of STAND_IN_RULES) {
      if (rule.re.test(text)) {
        score += 1;
        if (!kinds.includes(rule.kind)) kinds.push(rule.kind);
      }
    }
    return { attack: score > 0, kinds, score };
  };
}

/**
 * Wraps a scanner so that a throwing or malformed scanner can never break detection: errors
 * and bad results count as "not an attack" and are reported through `onError`.
 */
export function safeTextScanner(scan: TextScanner, onError?: (err: unknown) => void): TextScanner {
  return function guardedTextScanner(value: string): TextScanResult {
    try {
      const r = scan(value);
      if (r && typeof r.attack === 'boolean') {
        return { attack: r.attack, kinds: Array.isArray(r.kinds) ? r.kinds.map(String) : [], score: Number.isFinite(r.score) ? r.score : 0 };
      }
      onError?.(new TypeError('text scanner returned a malformed result'));
    } catch (err) {
      onError?.(err);
    }
    return { attack: false, kinds: [], score: 0 };
  };
}
