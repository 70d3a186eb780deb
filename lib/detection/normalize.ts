/**
 * Normalisation: turns a value as the application received it into the forms the rules
 * judge. Every step is a single left-to-right pass over its input, and the number of
 * passes is fixed, so the whole pipeline is linear in the length of the value.
 *
 * Two views are produced:
 * - `text`: URL-decoded until stable (at most {@link MAX_URL_PASSES} passes, `%uXXXX`,
 *   lax overlong UTF-8), NFKC-folded (fullwidth forms), NUL and invisible format
 *   characters removed, lower-cased. Used by the SQL, shell, path and NoSQL rules.
 * - `markup`: `text` with HTML character references (with and without `;`), JavaScript
 *   escapes (`\x3c`, `\u003c`, `\u{3c}`) and CSS escapes (`\3c `) decoded as well.
 *   Used by the XSS rules (and by the SQL rules when it differs from `text`).
 *
 * Encoding tricks are themselves evidence: each one sets a bit in `flags`, and the
 * engine turns those bits into `evasion.*` findings. Nothing is ever skipped because it
 * failed to decode: a malformed escape stays in the text as it was and is flagged.
 */

import { charMask, charClass, M_HIGH, M_PERCENT, M_PLUS, M_AMP, M_BSLASH, M_UPPER } from './char-classes';

/** `%XX` remained after the first decoding pass (the value was encoded twice or more). */
export const EV_MULTI_ENCODED = 1 << 0;
/** An overlong or otherwise invalid UTF-8 sequence (`%c0%ae`) decoded to ASCII. */
export const EV_OVERLONG_UTF8 = 1 << 1;
/** A `%` not followed by a valid escape (`%qf`, `%%32`), or a stray UTF-8 byte. */
export const EV_INVALID_ESCAPE = 1 << 2;
/** `%uXXXX` (IIS-style Unicode escape). */
export const EV_PERCENT_U = 1 << 3;
/** A NUL byte (raw or decoded). */
export const EV_NULL_BYTE = 1 << 4;
/** NFKC changed the text (fullwidth or other compatibility forms). */
export const EV_COMPAT_FORMS = 1 << 5;
/** HTML character references were decoded. */
export const EV_HTML_ENTITY = 1 << 6;
/** JavaScript or CSS escapes were decoded. */
export const EV_JS_CSS_ESCAPE = 1 << 7;
/** Invisible format characters (zero-width space, soft hyphen, BOM) were removed. */
export const EV_INVISIBLE = 1 << 8;
/** URL decoding changed the text (so the value as received differs from the decoded one). */
export const EV_URL_DECODED = 1 << 9;
/** UTF-7 encoded markup characters (`+ADw-script+AD4-`). */
export const EV_UTF7 = 1 << 10;

/** Most URL-decoding passes; three reach `%25252e` (encoded three times). */
export const MAX_URL_PASSES = 4;
/** Most HTML-entity passes (`&amp;lt;` needs two). */
const MAX_ENTITY_PASSES = 2;

/** The normalised forms of one value. */
export interface NormalizedValue {
  /** The value exactly as received. */
  readonly raw: string;
  /** URL-decoded, NFKC, NUL-free, lower-cased. */
  readonly text: string;
  /** `text` plus HTML, JS and CSS escapes decoded (same string as `text` when nothing changed). */
  readonly markup: string;
  /** `EV_*` bits. */
  readonly flags: number;
  /** Character classes of `text` (see char-classes.ts). */
  readonly mask: number;
  /** Character classes of `markup`. */
  readonly markupMask: number;
}

/** Hex digit values by character code (-1: not a hex digit). */
const HEX: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let c = 0; c < 10; c++) t[48 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[97 + c] = 10 + c;
    t[65 + c] = 10 + c;
  }
  return t;
})();

function hexVal(c: number): number {
  return c < 128 ? HEX[c] : -1;
}

/** Value of two hex digits at `i`, or -1. */
function hex2(s: string, i: number): number {
  if (i + 1 >= s.length) return -1;
  const c = s.charCodeAt(i);
  const d = s.charCodeAt(i + 1);
  if (c >= 128 || d >= 128) return -1;
  const a = HEX[c];
  const b = HEX[d];
  return a < 0 || b < 0 ? -1 : (a << 4) | b;
}

/** Number of bytes a UTF-8 sequence with this lead byte claims (2..6), or 0. */
function utf8Length(lead: number): number {
  if (lead >= 0xc0 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xf8 && lead <= 0xfb) return 5;
  if (lead >= 0xfc && lead <= 0xfd) return 6;
  return 0;
}

const MIN_CODE_POINT = [0, 0, 0x80, 0x800, 0x10000, 0x200000, 0x4000000];

interface PassResult {
  out: string;
  flags: number;
  /** True when a valid `%XX` or `%uXXXX` escape was decoded. */
  decoded: boolean;
  /** Character classes of `out` (see char-classes.ts). */
  mask: number;
}

/** Scratch buffer for decoding (grows as needed; scanning is synchronous, so one is enough). */
let scratch = new Uint16Array(1024);

const UTF16 = new TextDecoder('utf-16le');

/** Reused for short strings: `fromCharCode.apply` on a plain array is the fastest way there. */
const SHORT: number[] = [];

/** The first `len` code units of `buf` as a string (native decoding for long ones). */
export function codesToString(buf: Uint16Array, len: number): string {
  if (len <= 64) {
    SHORT.length = len;
    for (let i = 0; i < len; i++) SHORT[i] = buf[i];
    return String.fromCharCode.apply(null, SHORT);
  }
  return UTF16.decode(new Uint8Array(buf.buffer, buf.byteOffset, len * 2));
}

function toString(buf: Uint16Array, len: number): string {
  return codesToString(buf, len);
}

/**
 * Builds a string from pieces in the scratch buffer (no chain of concatenations to flatten
 * later). One at a time: each decoder finishes its string before the next one starts.
 */
const out16 = {
  len: 0,
  reset(capacity: number): void {
    if (scratch.length < capacity) scratch = new Uint16Array(Math.max(capacity, scratch.length * 2));
    this.len = 0;
  },
  code(c: number): void {
    if (this.len >= scratch.length) {
      const bigger = new Uint16Array(scratch.length * 2);
      bigger.set(scratch);
      scratch = bigger;
    }
    scratch[this.len++] = c;
  },
  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.code(s.charCodeAt(i));
  },
  range(s: string, from: number, to: number): void {
    if (this.len + (to - from) > scratch.length) {
      const bigger = new Uint16Array(Math.max(scratch.length * 2, this.len + (to - from)));
      bigger.set(scratch);
      scratch = bigger;
    }
    for (let i = from; i < to; i++) scratch[this.len++] = s.charCodeAt(i);
  },
  done(): string {
    return toString(scratch, this.len);
  },
};

/**
 * One URL-decoding pass. Lax like the decoders attackers target: a multi-byte UTF-8
 * sequence takes the low six bits of each continuation byte even when its top bits are
 * wrong (`%c0%2f` gives `/`), and an overlong form that lands in ASCII is decoded and
 * flagged. Malformed escapes are kept verbatim and flagged.
 */
function urlDecodePass(s: string): PassResult {
  let flags = 0;
  let decoded = false;
  let mask = 0;
  const n = s.length;
  // Nothing to decode (a `%` in prose, `100% sure`): note the odd escapes and return the input.
  let first = -1;
  for (let p = s.indexOf('%'); p >= 0; p = s.indexOf('%', p + 1)) {
    const c1 = p + 1 < n ? s.charCodeAt(p + 1) : -1;
    if (hex2(s, p + 1) >= 0 || ((c1 === 117 || c1 === 85) && hex2(s, p + 2) >= 0 && hex2(s, p + 4) >= 0)) {
      first = p;
      break;
    }
    if (c1 === 37 || (p + 2 < n && isAlnum(c1) && isAlnum(s.charCodeAt(p + 2)))) flags |= EV_INVALID_ESCAPE;
  }
  if (first < 0) return { out: s, flags, decoded: false, mask: -1 };
  if (scratch.length < n) scratch = new Uint16Array(Math.max(n, scratch.length * 2));
  const buf = scratch;
  let len = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 37) {
      buf[len++] = c;
      mask |= charClass(c);
      i++;
      continue;
    }
    const c1 = i + 1 < n ? s.charCodeAt(i + 1) : -1;
    if (c1 === 117 || c1 === 85) {
      // %uXXXX
      const h = hex2(s, i + 2);
      const l = hex2(s, i + 4);
      if (h >= 0 && l >= 0) {
        buf[len++] = (h << 8) | l;
        mask |= charClass((h << 8) | l);
        i += 6;
        flags |= EV_PERCENT_U;
        decoded = true;
        continue;
      }
    }
    const b = hex2(s, i + 1);
    if (b < 0) {
      // A `%` that starts nothing: an evasion when escape-like characters follow (`%qf`, `%%32`).
      const d = c1;
      if (d === 37 || (i + 2 < n && isAlnum(d) && isAlnum(s.charCodeAt(i + 2)))) flags |= EV_INVALID_ESCAPE;
      buf[len++] = 37;
      mask |= charClass(37);
      i++;
      continue;
    }
    decoded = true;
    if (b < 0x80) {
      buf[len++] = b;
      mask |= charClass(b);
      i += 3;
      continue;
    }
    const ulen = utf8Length(b);
    if (ulen === 0) {
      // A continuation byte or 0xfe/0xff on its own: U+FFFD, as a strict decoder would.
      buf[len++] = 0xfffd;
      mask |= M_HIGH;
      i += 3;
      flags |= EV_INVALID_ESCAPE;
      continue;
    }
    let cp = b & (0x7f >> ulen);
    let j = i + 3;
    let k = 1;
    let strict = true;
    for (; k < ulen; k++) {
      if (j >= n || s.charCodeAt(j) !== 37) break;
      const cb = hex2(s, j + 1);
      if (cb < 0) break;
      if ((cb & 0xc0) !== 0x80) strict = false;
      cp = (cp << 6) | (cb & 0x3f);
      j += 3;
    }
    if (k < ulen) {
      // Truncated sequence: U+FFFD for the lead byte; what follows is decoded on its own.
      buf[len++] = 0xfffd;
      mask |= M_HIGH;
      i += 3;
      flags |= EV_INVALID_ESCAPE;
      continue;
    }
    if (!strict || cp < MIN_CODE_POINT[ulen] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      flags |= cp < 0x80 ? EV_OVERLONG_UTF8 : EV_INVALID_ESCAPE;
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
      // Decoders disagree on overlong forms (`%c1%af` is `o` to one and `/` to another). Only
      // punctuation is worth smuggling this way, so an overlong letter or digit becomes U+FFFD.
      if (cp < 0x80 && ((cp >= 48 && cp <= 57) || ((cp | 32) >= 97 && (cp | 32) <= 122))) cp = 0xfffd;
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      buf[len++] = 0xd800 | (cp >> 10);
      buf[len++] = 0xdc00 | (cp & 0x3ff);
    } else buf[len++] = cp;
    mask |= cp > 0xffff ? M_HIGH : charClass(cp);
    i = j;
  }
  if (!decoded) return { out: s, flags, decoded, mask };
  return { out: toString(buf, len), flags, decoded, mask };
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Repeated URL decoding until stable, at most {@link MAX_URL_PASSES} passes. */
export function urlDecodeRepeated(s: string): { text: string; flags: number; mask: number } {
  let flags = 0;
  let cur = s;
  let mask = -1;
  for (let pass = 0; pass < MAX_URL_PASSES; pass++) {
    if (mask !== -1 && (mask & M_PERCENT) === 0) break;
    if (mask === -1 && cur.indexOf('%') < 0) break;
    const r = urlDecodePass(cur);
    flags |= r.flags;
    if (!r.decoded) break;
    if (pass > 0) flags |= EV_MULTI_ENCODED;
    cur = r.out;
    mask = r.mask;
  }
  return { text: cur, flags, mask };
}

/** True when `s` has a character outside ASCII. */
function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** Removes NUL and invisible format characters; returns the flags it set. */
function stripInvisible(s: string): { out: string; flags: number } {
  let flags = 0;
  let from = 0;
  let started = false;
  const out = out16;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) flags |= EV_NULL_BYTE;
    else if (c === 0xad || c === 0x200b || c === 0x200c || c === 0x200d || c === 0x2060 || c === 0xfeff) flags |= EV_INVISIBLE;
    else continue;
    if (!started) {
      out.reset(s.length);
      started = true;
    }
    out.range(s, from, i);
    from = i + 1;
  }
  if (!started) return { out: s, flags };
  out.range(s, from, s.length);
  return { out: out.done(), flags };
}

/** Named character references that matter for markup, scripts and paths (lower-case names). */
const ENTITIES: ReadonlyMap<string, string> = new Map([
  ['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"'], ['apos', "'"], ['colon', ':'], ['semi', ';'],
  ['lpar', '('], ['rpar', ')'], ['lsqb', '['], ['rsqb', ']'], ['lbrack', '['], ['rbrack', ']'],
  ['lcub', '{'], ['rcub', '}'], ['lbrace', '{'], ['rbrace', '}'], ['sol', '/'], ['bsol', '\\'],
  ['tab', '\t'], ['newline', '\n'], ['nbsp', ' '], ['grave', '`'], ['comma', ','], ['period', '.'],
  ['excl', '!'], ['equals', '='], ['plus', '+'], ['num', '#'], ['percnt', '%'], ['dollar', '$'],
  ['quest', '?'], ['ast', '*'], ['midast', '*'], ['hyphen', '-'], ['dash', '-'], ['lowbar', '_'],
  ['verbar', '|'], ['vert', '|'], ['commat', '@'], ['hat', '^'], ['tilde', '~'],
]);


/** One pass of HTML character-reference decoding; `;` is optional, as browsers allow. */
function entityDecodePass(s: string): { out: string; changed: boolean } {
  let i = s.indexOf('&');
  if (i < 0) return { out: s, changed: false };
  const out = out16;
  out.reset(s.length);
  let from = 0;
  const n = s.length;
  while (i >= 0) {
    let j = i + 1;
    let replacement: string | undefined;
    if (j < n && s.charCodeAt(j) === 35) {
      // numeric: &#60 &#0000060; &#x3c &#X3C;
      j++;
      let hex = false;
      if (j < n && (s.charCodeAt(j) | 32) === 120) {
        hex = true;
        j++;
      }
      const start = j;
      let v = 0;
      while (j < n && j - start < 12) {
        const c = s.charCodeAt(j);
        const d = hex ? hexVal(c) : c >= 48 && c <= 57 ? c - 48 : -1;
        if (d < 0) break;
        v = v * (hex ? 16 : 10) + d;
        j++;
      }
      // Skip any further digits of an absurdly long reference (still one linear pass).
      while (j < n && (hex ? hexVal(s.charCodeAt(j)) >= 0 : s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57)) j++;
      if (j > start) {
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) v = 0xfffd;
        replacement = String.fromCodePoint(v);
        if (j < n && s.charCodeAt(j) === 59) j++;
      }
    } else {
      const start = j;
      while (j < n && j - start < 10 && isAlnum(s.charCodeAt(j))) j++;
      if (j > start) {
        const name = s.slice(start, j).toLowerCase();
        let hit = ENTITIES.get(name);
        let end = j;
        if (hit === undefined) {
          // Without `;` a browser takes the longest known prefix (`&ltscript` is `<script`).
          for (let k = j - 1; k > start + 1 && hit === undefined; k--) {
            hit = ENTITIES.get(s.slice(start, k).toLowerCase());
            if (hit !== undefined) end = k;
          }
        }
        if (hit !== undefined) {
          replacement = hit;
          j = end;
          if (j < n && s.charCodeAt(j) === 59) j++;
        }
      }
    }
    if (replacement !== undefined) {
      out.range(s, from, i);
      out.text(replacement);
      from = j;
      i = s.indexOf('&', j);
    } else {
      i = s.indexOf('&', i + 1);
    }
  }
  if (from === 0) return { out: s, changed: false };
  out.range(s, from, n);
  return { out: out.done(), changed: true };
}

/**
 * One pass of JavaScript and CSS escape decoding: `\xHH`, `\uHHHH`, `\u{H..}`, CSS
 * `\H..` (1-6 hex digits and one optional space), `\n`/`\r`/`\t` as whitespace, and
 * any other escaped character as itself.
 */
function jsCssDecode(s: string): { out: string; changed: boolean } {
  let i = s.indexOf('\\');
  if (i < 0) return { out: s, changed: false };
  const out = out16;
  out.reset(s.length);
  let from = 0;
  const n = s.length;
  while (i >= 0) {
    if (i + 1 >= n) break;
    const c = s.charCodeAt(i + 1);
    let rep: string | undefined;
    let j = i + 2;
    if (c === 120 || c === 88) {
      const v = hex2(s, i + 2);
      if (v >= 0) {
        rep = String.fromCharCode(v);
        j = i + 4;
      }
    } else if (c === 117 || c === 85) {
      if (i + 2 < n && s.charCodeAt(i + 2) === 123) {
        let k = i + 3;
        let v = 0;
        while (k < n && k - i < 12 && hexVal(s.charCodeAt(k)) >= 0) v = v * 16 + hexVal(s.charCodeAt(k++));
        if (k < n && s.charCodeAt(k) === 125 && k > i + 3) {
          rep = String.fromCodePoint(v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0xfffd : v);
          j = k + 1;
        }
      } else {
        const h = hex2(s, i + 2);
        const l = hex2(s, i + 4);
        if (h >= 0 && l >= 0) {
          rep = String.fromCharCode((h << 8) | l);
          j = i + 6;
        }
      }
    } else if (hexVal(c) >= 0) {
      let k = i + 1;
      let v = 0;
      while (k < n && k - i <= 6 && hexVal(s.charCodeAt(k)) >= 0) v = v * 16 + hexVal(s.charCodeAt(k++));
      if (k < n && s.charCodeAt(k) === 32) k++;
      rep = String.fromCodePoint(v === 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff) ? 0xfffd : v);
      j = k;
    } else if (c === 110 || c === 114 || c === 116) {
      rep = c === 116 ? '\t' : '\n';
    } else if (c === 10 || c === 13) {
      rep = ''; // CSS line continuation
    } else {
      rep = s.charAt(i + 1);
    }
    if (rep !== undefined) {
      out.range(s, from, i);
      out.text(rep);
      from = j;
      i = j < n ? s.indexOf('\\', j) : -1;
    } else {
      i = s.indexOf('\\', i + 2);
    }
  }
  if (from === 0) return { out: s, changed: false };
  out.range(s, from, n);
  return { out: out.done(), changed: true };
}

/** Decodes `text` for markup analysis. Returns `text` itself when nothing applies. */
function decodeMarkup(text: string): { markup: string; flags: number } {
  let flags = 0;
  let cur = text;
  if (cur.indexOf('&') >= 0) {
    for (let pass = 0; pass < MAX_ENTITY_PASSES; pass++) {
      const r = entityDecodePass(cur);
      if (!r.changed) break;
      flags |= EV_HTML_ENTITY;
      cur = r.out;
    }
  }
  if (cur.indexOf('\\') >= 0) {
    const r = jsCssDecode(cur);
    if (r.changed) {
      flags |= EV_JS_CSS_ESCAPE;
      cur = r.out;
      // An escape can reveal an entity and vice versa; one more entity pass covers `\x26lt;`.
      if (cur.indexOf('&') >= 0) {
        const e = entityDecodePass(cur);
        if (e.changed) cur = e.out;
      }
    }
  }
  if (cur !== text) {
    const inv = stripInvisible(cur);
    cur = inv.out;
    if (hasNonAscii(cur)) cur = cur.normalize('NFKC');
    cur = cur.toLowerCase();
  }
  return { markup: cur, flags };
}

function base64Value(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43) return 62;
  if (c === 47) return 63;
  return -1;
}

/**
 * Decodes UTF-7 shifted sequences (`+ADw-` is `<`), as a browser does for a page declared
 * `charset=utf-7`. One pass; sequences shorter than three base64 characters are left as they are.
 */
export function utf7Decode(s: string): string {
  const out = out16;
  let started = false;
  let from = 0;
  let i = s.indexOf('+');
  while (i >= 0) {
    let j = i + 1;
    while (j < s.length && base64Value(s.charCodeAt(j)) >= 0) j++;
    if (j - i - 1 >= 3) {
      let bits = 0;
      let nbits = 0;
      if (!started) {
        out.reset(s.length);
        started = true;
      }
      out.range(s, from, i);
      for (let k = i + 1; k < j; k++) {
        bits = ((bits << 6) | base64Value(s.charCodeAt(k))) & 0xffffff;
        nbits += 6;
        if (nbits >= 16) {
          nbits -= 16;
          out.code((bits >> nbits) & 0xffff);
        }
      }
      from = j < s.length && s.charCodeAt(j) === 45 ? j + 1 : j;
      i = s.indexOf('+', from);
    } else {
      i = s.indexOf('+', i + 1);
    }
  }
  if (!started) return s;
  out.range(s, from, s.length);
  return out.done();
}

/** Replaces literal `0x2e`, `0x2f`, `0x5c` (a path-evasion trick) with the characters. */
export function decodeHexLiterals(s: string): string {
  let i = s.indexOf('0x');
  if (i < 0) return s;
  const out = out16;
  let started = false;
  let from = 0;
  while (i >= 0) {
    const v = hex2(s, i + 2);
    if (v === 0x2e || v === 0x2f || v === 0x5c) {
      if (!started) {
        out.reset(s.length);
        started = true;
      }
      out.range(s, from, i);
      out.code(v);
      from = i + 4;
      i = s.indexOf('0x', from);
    } else {
      i = s.indexOf('0x', i + 2);
    }
  }
  if (!started) return s;
  out.range(s, from, s.length);
  return out.done();
}

/**
 * Normalises one value. Linear: at most {@link MAX_URL_PASSES} URL passes, two entity
 * passes, one escape pass, one NFKC and one case fold, each over a string no longer
 * than the input.
 */
/** True when NFKC could change `s`: a character from U+00A0 up, other than U+FFFD. */
function mayNeedNfkc(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xa0 && c !== 0xfffd) return true;
  }
  return false;
}

export function normalizeValue(raw: string): NormalizedValue {
  let flags = 0;
  let text = raw;
  let mask = charMask(text);
  if (mask & M_HIGH && mayNeedNfkc(text)) {
    // Fold first as well, so that a fullwidth `％２７` is seen as `%27` by the decoder.
    const folded = text.normalize('NFKC');
    if (folded !== text) {
      flags |= EV_COMPAT_FORMS;
      text = folded;
      mask = charMask(text);
    }
  }
  if (mask & M_PERCENT) {
    const r = urlDecodeRepeated(text);
    if (r.text !== text) {
      flags |= EV_URL_DECODED;
      text = r.text;
      mask = r.mask === -1 ? charMask(text) : r.mask;
      if (mask & M_HIGH && mayNeedNfkc(text)) {
        const folded = text.normalize('NFKC');
        if (folded !== text) {
          flags |= EV_COMPAT_FORMS;
          text = folded;
          mask = charMask(text);
        }
      }
    }
    flags |= r.flags;
  }
  if (mask & M_HIGH) {
    const inv = stripInvisible(text);
    if (inv.out !== text) {
      text = inv.out;
      mask = charMask(text);
    }
    flags |= inv.flags;
  }
  // UTF-7 is case-sensitive (base64): decode it before folding case.
  let utf7: string | undefined;
  if (mask & M_PLUS && (text.indexOf('+AD') >= 0 || text.indexOf('+AC') >= 0)) {
    const u = utf7Decode(text);
    if (u !== text) {
      utf7 = u.toLowerCase();
      flags |= EV_UTF7;
    }
  }
  if (mask & (M_UPPER | M_HIGH)) text = text.toLowerCase();
  let markup = utf7 ?? text;
  let markupMask = utf7 === undefined ? mask : charMask(markup);
  if (markupMask & (M_AMP | M_BSLASH)) {
    const m = decodeMarkup(markup);
    if (m.markup !== markup) {
      markup = m.markup;
      markupMask = charMask(markup);
    }
    flags |= m.flags;
  }
  return { raw, text, markup, flags, mask, markupMask };
}
