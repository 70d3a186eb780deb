/**
 * Path traversal and file inclusion: path segments that climb out of a base directory,
 * and paths that reach well-known system files.
 *
 * Works on the decoded text (URL escapes repeated, `%u`, overlong UTF-8, NFKC), with
 * literal `0x2e`/`0x2f`/`0x5c` decoded too. A separator is `/` or `\`, the Unicode
 * slashes (`∕`, `∖`), or what is left of an escape that did not decode (`%c1%pc`) or
 * decoded to a control or private-use character: for a decoder that is where the
 * separator was. A climb is two or more dots next to a separator. A target is a system
 * file (`etc/passwd`, `boot.ini`, `windows/system32`, `proc/self/environ`...) reached with a
 * separator before it. Wrappers (`php://filter`, `file://`) are file inclusion.
 */
import type { NormalizedValue } from './normalize';
import type { FindingList, Rule } from './findings';
import { decodeHexLiterals, EV_INVALID_ESCAPE, EV_OVERLONG_UTF8, EV_PERCENT_U, EV_NULL_BYTE, EV_URL_DECODED } from './normalize';

/** Rule ids and scores (see docs/detection.md). */
export const PATH_RULES = {
  traversalTarget: { id: 'path.traversal', score: 10 },
  traversal: { id: 'path.traversal', score: 9 },
  traversalLeading: { id: 'path.traversal', score: 7 },
  traversalSingle: { id: 'path.traversal', score: 5 },
  targetEvasive: { id: 'path.sensitive_file', score: 9 },
  targetPath: { id: 'path.sensitive_file', score: 8 },
  targetProse: { id: 'path.sensitive_file', score: 5 },
  wrapper: { id: 'path.file_wrapper', score: 8 },
  wrapperTarget: { id: 'path.file_wrapper', score: 10 },
  fileUrl: { id: 'path.file_wrapper', score: 6 },
  systemDir: { id: 'path.system_directory', score: 7 },
} as const;

/** A sensitive file and the directories it must sit in ('' = anywhere, then a separator must precede it). */
interface Target {
  readonly name: string;
  readonly parents: readonly string[];
}

const TARGETS: readonly Target[] = [
  { name: 'passwd', parents: ['etc', 'security'] },
  { name: 'shadow', parents: ['etc'] },
  { name: 'group', parents: ['etc'] },
  { name: 'hosts', parents: ['etc'] },
  { name: 'issue', parents: ['etc'] },
  { name: 'motd', parents: ['etc'] },
  { name: 'hostname', parents: ['etc'] },
  { name: 'sudoers', parents: ['etc'] },
  { name: 'fstab', parents: ['etc'] },
  { name: 'crontab', parents: ['etc'] },
  { name: 'inittab', parents: ['etc'] },
  { name: 'resolv.conf', parents: ['etc'] },
  { name: 'environ', parents: ['self', 'proc'] },
  { name: 'cmdline', parents: ['self', 'proc'] },
  { name: 'maps', parents: ['self'] },
  { name: 'system32', parents: ['windows', 'winnt', 'systemroot%', 'windir%'] },
  { name: 'sam', parents: ['repair', 'config'] },
  { name: 'boot.ini', parents: [''] },
  { name: 'win.ini', parents: [''] },
  { name: 'system.ini', parents: [''] },
  { name: 'autoexec.bat', parents: [''] },
  { name: 'web.config', parents: [''] },
  { name: 'wp-config.php', parents: [''] },
  { name: '.htaccess', parents: [''] },
  { name: '.htpasswd', parents: [''] },
  { name: '.bash_history', parents: [''] },
  { name: 'id_rsa', parents: [''] },
  { name: 'id_dsa', parents: [''] },
  { name: 'authorized_keys', parents: [''] },
  { name: 'php.ini', parents: [''] },
  { name: 'httpd.conf', parents: [''] },
  { name: 'my.cnf', parents: [''] },
  { name: 'desktop.ini', parents: [''] },
  { name: 'ntuser.dat', parents: [''] },
  { name: 'access.log', parents: ['log', 'logs', 'apache', 'apache2', 'httpd', 'nginx'] },
  { name: 'error.log', parents: ['log', 'logs', 'apache', 'apache2', 'httpd', 'nginx'] },
  { name: 'auth.log', parents: ['log'] },
  { name: 'unattend.xml', parents: [''] },
];

/** {@link TARGETS} by the codes of their first two characters (all ASCII): `c0 * 128 + c1`. */
const TARGETS_BY_START: readonly (readonly Target[] | null)[] = (() => {
  // Filled, not holey: reading a hole walks the prototype chain.
  const m: (Target[] | null)[] = new Array<Target[] | null>(128 * 128).fill(null);
  for (const t of TARGETS) {
    const k = t.name.charCodeAt(0) * 128 + t.name.charCodeAt(1);
    (m[k] ??= []).push(t);
  }
  return m;
})();

/** Directories whose files an application never serves, when a value starts with one. */
const SYSTEM_DIRS = ['/etc/', '/proc/', '/var/log/', '/root/', '/sys/', '/dev/', 'c:/windows/', 'c:/winnt/', 'c:/boot', '%systemroot%', '%windir%'];

/** Stream wrappers and URL schemes that read local files or run code on include. */
const WRAPPERS: ReadonlySet<string> = new Set(['php', 'zip', 'phar', 'expect', 'glob', 'data', 'compress.zlib', 'compress.bzip2', 'ogg', 'rar', 'file']);

/** Every separator of {@link isSeparator}, and `?`, as one character class. */
const RE_SEPARATOR = /[\/\\%?\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2215\u2216\u29f5\u29f8\u29f9\ue000-\uf8ff\ufffd]/g;

/** Regular expressions of this module (every one is checked by recheck in the test suite). */
export const PATH_REGEXES: readonly RegExp[] = [RE_SEPARATOR];

/** ASCII separators, as a table (the hot loop of this module tests every character). */
const ASCII_SEPARATOR: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 32; c++) if (c !== 9 && c !== 10 && c !== 13) t[c] = 1;
  t[47] = 1;
  t[92] = 1;
  t[37] = 1;
  t[127] = 1;
  return t;
})();

function isSeparator(c: number): boolean {
  if (c < 128) return ASCII_SEPARATOR[c] === 1;
  return (c >= 0x80 && c <= 0x9f) || c === 0x2215 || c === 0x2216 || c === 0x29f5 || c === 0x29f8 ||
    c === 0x29f9 || (c >= 0xe000 && c <= 0xf8ff) || c === 0xfffd;
}

/** A separator that only an evasion produces (not `/` or `\`). */
function isOddSeparator(c: number): boolean {
  return c === 63 || (isSeparator(c) && c !== 47 && c !== 92);
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

interface PathResult {
  score: number;
  rule: string;
  at: number;
}

/**
 * Scans one value; adds at most one `path.*` finding to `out`. The decoded text is
 * judged, and so is the value as received when it still holds escapes: a broken escape
 * can swallow the letters after it once decoded (`%2%fetc` -> U+FFFD `tc`).
 */
export function scanPath(nv: NormalizedValue, out: FindingList): void {
  const r: PathResult = { score: 0, rule: '', at: 0 };
  let v = nv.text;
  if (v.indexOf('0x') >= 0) v = decodeHexLiterals(v);
  analyzePath(v, nv.flags, r);
  let best = r.score;
  let text = v;
  // Already an attack at every paranoia level: the raw view could only raise the score. When
  // nothing was URL-decoded, the raw view is the text already judged.
  if (best < PATH_RULES.traversalLeading.score && nv.flags & EV_URL_DECODED) {
    const raw = decodeHexLiterals(nv.raw.toLowerCase());
    const r2: PathResult = { score: 0, rule: '', at: 0 };
    analyzePath(raw, nv.flags, r2);
    if (r2.score > best) {
      r.score = r2.score;
      r.rule = r2.rule;
      r.at = r2.at;
      best = r2.score;
      text = raw;
    }
  }
  if (r.score > 0) out.add('path', r.rule, r.score, text, r.at, r.at + 60);
}


function take(res: PathResult, r: Rule, s: number, bonus = 0): void {
  if (r.score + bonus > res.score) {
    res.score = r.score + bonus;
    res.rule = r.id;
    res.at = s;
  }
}

function analyzePath(v: string, flags: number, res: PathResult): void {
  const n = v.length;
  const evasive = (flags & (EV_INVALID_ESCAPE | EV_OVERLONG_UTF8 | EV_PERCENT_U)) !== 0;

  // Climbs: `..` (or more dots) next to a separator.
  let climbs = 0;
  let firstClimb = -1;
  let leadingClimb = false;
  for (let i = v.indexOf('.'); i >= 0 && i < n; i = v.indexOf('.', i)) {
    let j = i;
    while (j < n && v.charCodeAt(j) === 46) j++;
    if (j - i >= 2) {
      const after = j < n ? v.charCodeAt(j) : -1;
      const before = i > 0 ? v.charCodeAt(i - 1) : -1;
      if ((after >= 0 && isSeparator(after)) || (after < 0 && before >= 0 && isSeparator(before))) {
        climbs++;
        if (firstClimb < 0) {
          firstClimb = i;
          // Leading: only separators, dots and blanks before it.
          let k = 0;
          while (k < i && (isSeparator(v.charCodeAt(k)) || v.charCodeAt(k) === 46 || v.charCodeAt(k) === 32)) k++;
          leadingClimb = k === i;
        }
      }
    }
    i = j;
  }

  // Targets. A target (or its parent directory) always follows a separator, possibly with
  // up to three leftover characters of a broken escape in between (`%c1%pcetc`), so only
  // the positions after a separator are tried, against the names that start with that letter.
  let targetAt = -1;
  let targetLeading = false;
  let targetEvasive = false;
  const re = RE_SEPARATOR;
  for (let sep = -1; sep < n; sep++) {
    if (sep >= 0) {
      // The next separator: the character right here (dense, as in `/*/*`), or a native scan
      // to it (sparse, as in prose); the class is the one of isSeparator, plus `?`.
      let c = v.charCodeAt(sep);
      const near = Math.min(n, sep + 16);
      while (sep < near && !(c === 63 || (c < 128 ? ASCII_SEPARATOR[c] === 1 : isSeparator(c)))) c = v.charCodeAt(++sep);
      if (sep >= near) {
        if (sep >= n) break;
        re.lastIndex = sep;
        if (!re.test(v)) break; // test(), unlike exec(), allocates no match array
        sep = re.lastIndex - 1;
        c = v.charCodeAt(sep);
      }
      // In prose `?` ends a question and `%` a percentage: they separate only among other
      // leftovers of an encoding (`.?%c0%af`, `%c1%pc`).
      if (c === 63 && !(sep > 0 && (v.charCodeAt(sep - 1) === 46 || v.charCodeAt(sep - 1) === 63 || isSeparator(v.charCodeAt(sep - 1))))) continue;
      if (c === 37 && !(sep + 1 < n && (isAlnum(v.charCodeAt(sep + 1)) || v.charCodeAt(sep + 1) === 37))) continue;
    }
    const odd = sep >= 0 && isOddSeparator(v.charCodeAt(sep));
    const last = Math.min(n - 1, sep + (odd ? 4 : 1));
    for (let q = sep + 1; q <= last; q++) {
      const c0 = v.charCodeAt(q);
      const c1 = q + 1 < n ? v.charCodeAt(q + 1) : 0;
      const list = c0 < 128 && c1 < 128 ? TARGETS_BY_START[c0 * 128 + c1] : null;
      if (list) {
        for (const t of list) {
          if (!v.startsWith(t.name, q)) continue;
          const end = q + t.name.length;
          const right = end < n ? v.charCodeAt(end) : -1;
          if (right >= 0 && (isLetter(right) || right === 95)) continue;
          const hit = checkTarget(v, q, t);
          if (hit > 0) {
            if (targetAt < 0 || q < targetAt) targetAt = q;
            if (hit === 2) targetEvasive = true;
            if (!targetLeading && startsAsPath(v, q)) targetLeading = true;
          }
        }
        // A parent directory name: its target is found from the separator after it.
      }
      if (q < n && !isAlnum(v.charCodeAt(q)) && q > sep + 1) break;
    }
  }

  if (climbs > 0) {
    const target = targetAt >= 0;
    if (target) take(res, PATH_RULES.traversalTarget, firstClimb);
    else if (climbs >= 2) take(res, PATH_RULES.traversal, firstClimb, evasive ? 1 : 0);
    else if (leadingClimb) take(res, PATH_RULES.traversalLeading, firstClimb, evasive || flags & EV_NULL_BYTE ? 1 : 0);
    else take(res, PATH_RULES.traversalSingle, firstClimb, evasive ? 1 : 0);
  }
  if (targetAt >= 0) {
    if (targetEvasive || evasive) take(res, PATH_RULES.targetEvasive, targetAt);
    else if (targetLeading) take(res, PATH_RULES.targetPath, targetAt, flags & EV_NULL_BYTE ? 1 : 0);
    else take(res, PATH_RULES.targetProse, targetAt);
  }

  // Wrappers and file URLs: the scheme before each `://`.
  for (let c = v.indexOf('://'); c >= 0; c = v.indexOf('://', c + 3)) {
    let k = c;
    while (k > 0 && c - k < 16 && (isLetter(v.charCodeAt(k - 1)) || v.charCodeAt(k - 1) === 46 || isAlnum(v.charCodeAt(k - 1)))) k--;
    const scheme = v.slice(k, c);
    if (!WRAPPERS.has(scheme)) continue;
    if (scheme === 'file') take(res, targetAt >= 0 || climbs > 0 ? PATH_RULES.wrapperTarget : PATH_RULES.fileUrl, k);
    else take(res, targetAt >= 0 ? PATH_RULES.wrapperTarget : PATH_RULES.wrapper, k);
  }
  const fw = v.indexOf('file:\\');
  if (fw >= 0) take(res, targetAt >= 0 || climbs > 0 ? PATH_RULES.wrapperTarget : PATH_RULES.fileUrl, fw);

  // A value that is itself a path into a system directory.
  if (res.score < PATH_RULES.systemDir.score) {
    let s = 0;
    while (s < n && v.charCodeAt(s) === 32) s++;
    // Every system directory starts with `/`, `\`, a drive letter or `%`.
    const c0 = s < n ? v.charCodeAt(s) : -1;
    if (!(c0 === 47 || c0 === 92 || c0 === 37 || (s + 1 < n && v.charCodeAt(s + 1) === 58))) return;
    let blank = false;
    for (let i = s; i < n && !blank; i++) blank = v.charCodeAt(i) === 32 || v.charCodeAt(i) === 10;
    if (!blank) {
      const head = v.slice(s, s + 16).split('\\').join('/');
      for (const d of SYSTEM_DIRS) if (head.startsWith(d) && head.length > d.length) take(res, PATH_RULES.systemDir, s);
    }
  }
}

/**
 * 0 when the target at `p` is not reached through a path, 1 when it is, 2 when the path
 * to it uses leftover escapes or odd separators.
 */
function checkTarget(v: string, p: number, t: Target): number {
  const from = Math.max(0, p - 16);
  if (t.parents[0] === '') {
    // Anywhere, but right after a separator (or at the start): `c:\boot.ini`, `/.htaccess`.
    if (p === 0) return 1;
    let k = p - 1;
    let junk = 0;
    while (k >= from && !isSeparator(v.charCodeAt(k)) && v.charCodeAt(k) !== 63 && junk < 3) {
      const c = v.charCodeAt(k);
      if (c === 32 || c === 10) return 0;
      junk++;
      k--;
    }
    if (k < from || !(isSeparator(v.charCodeAt(k)) || v.charCodeAt(k) === 63)) return 0;
    if (junk > 0 && !isOddSeparator(v.charCodeAt(k))) return 0;
    return junk > 0 || isOddSeparator(v.charCodeAt(k)) ? 2 : 1;
  }
  // Under a parent: `etc/passwd`, `etc%c1%8spasswd`, `windows\system32`.
  const left = v.slice(from, p);
  for (const parent of t.parents) {
    const q = left.lastIndexOf(parent);
    if (q < 0) continue;
    const gap = left.slice(q + parent.length);
    if (gap.length === 0 || gap.length > 8) continue;
    let sep = false;
    let odd = false;
    for (let i = 0; i < gap.length; i++) {
      const c = gap.charCodeAt(i);
      if (c === 32 || c === 10) {
        sep = false;
        break;
      }
      if (isSeparator(c) || c === 63) {
        sep = true;
        if (c !== 47 && c !== 92) odd = true;
      } else odd = true;
    }
    if (!sep) continue;
    // The parent itself must start a segment: `/etc/`, not `fetc/`; leftovers of a broken
    // escape (`%pcetc`) may sit in between.
    const ps = from + q;
    if (ps > 0) {
      let k = ps - 1;
      let skipped = 0;
      while (k >= 0 && skipped < 3 && isAlnum(v.charCodeAt(k))) {
        k--;
        skipped++;
      }
      if (skipped > 0) {
        if (k < 0 || !isOddSeparator(v.charCodeAt(k))) continue;
        odd = true;
      } else if (k >= 0 && !isSeparator(v.charCodeAt(k)) && v.charCodeAt(k) !== 63 && v.charCodeAt(k) !== 58 &&
        v.charCodeAt(k) !== 32 && v.charCodeAt(k) !== 46) continue;
    }
    return odd ? 2 : 1;
  }
  return 0;
}

/** True when the value is nothing but a path that leads to the target (no prose around it). */
function startsAsPath(v: string, p: number): boolean {
  if (p > 200) return false;
  let s = 0;
  let e = v.length;
  while (s < e && v.charCodeAt(s) === 32) s++;
  while (e > s && v.charCodeAt(e - 1) === 32) e--;
  if (e - s > 400) return false;
  for (let i = s; i < e; i++) {
    const c = v.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9) return false;
  }
  return true;
}
