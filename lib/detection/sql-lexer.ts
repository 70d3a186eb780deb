/**
 * A small SQL lexer covering the dialects attackers target (MySQL, PostgreSQL, MSSQL,
 * Oracle, SQLite). It reads lower-cased text left to right, one token per call, and never
 * looks back, so lexing a value is linear in its length. It allocates nothing per token
 * except the text of words (needed for keyword lookup, and capped in length).
 */

export const TK_END = 0;
export const TK_NUM = 1;
export const TK_STR = 2;
/** A string literal still open at the end of the value (the application's quote closes it). */
export const TK_STR_OPEN = 3;
export const TK_WORD = 4;
/** `@name`, `@@name` or a bare `@`. */
export const TK_VAR = 5;
export const TK_OP = 6;
export const TK_LPAREN = 7;
export const TK_RPAREN = 8;
export const TK_COMMA = 9;
export const TK_SEMI = 10;
export const TK_DOT = 11;
/** `--`, `#` or an unterminated `/*`: everything after it is ignored by the database. */
export const TK_COMMENT = 12;
export const TK_OTHER = 13;

/** Operator classes (`opClass` of a {@link TK_OP} token). */
export const OP_CMP = 1; // = < > <> != <= >= <=> == !< !>
export const OP_LOGIC = 2; // || &&
export const OP_ARITH = 3; // + - * / % & | ^ << >> :: -> ->>
export const OP_UNARY = 4; // ~ !
export const OP_ASSIGN = 5; // :=

/** Longest word kept for keyword lookup; longer words are still one token. */
const MAX_WORD = 40;

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || c === 95 || (c >= 65 && c <= 90) || (c > 0x7f && !isSpace(c));
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whitespace for SQL purposes: ASCII controls and blanks, NBSP and the Unicode separators. */
export function isSpace(c: number): boolean {
  return c <= 32 || c === 0x7f || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0x85;
}

/** Prefixes that make the following quote a typed literal: N'..', X'..', B'..', E'..', _utf8'..'. */
const STRING_PREFIXES = new Set(['n', 'x', 'b', 'e', 'u&', '_utf8', '_utf8mb4', '_latin1', '_binary']);

/** Streaming lexer. Create once and `reset` per value. */
export class SqlLexer {
  private s = '';
  private n = 0;
  private pos = 0;
  /** Treat `+` as a blank (a query string whose `+` was not decoded). */
  private plusIsSpace = false;
  /** Depth of open MySQL `/*! ... *\/` executable comments. */
  private versionComments = 0;

  /** Type of the current token (`TK_*`). */
  type = TK_END;
  /** Start and end offsets of the current token in the text. */
  start = 0;
  end = 0;
  /** Lower-case text of a word (capped), variable name or operator. */
  text = '';
  /** `OP_*` of an operator token. */
  opClass = 0;
  /** For numbers: literal is hexadecimal or binary (`0x41`). */
  hexNumber = false;
  /** For words: started with a digit (MySQL allows `1st` as an identifier). */
  numericWord = false;
  /** For words: was quoted with backticks (an identifier, never a keyword). */
  quotedIdent = false;
  /** For variables: a system variable (`@@version`). */
  systemVar = false;
  /** True when blanks or comments preceded the current token. */
  spaced = false;
  /** Set when an inline comment (`/* *\/`) was skipped anywhere so far. */
  sawInlineComment = false;

  reset(s: string, pos: number, plusIsSpace: boolean): void {
    this.s = s;
    this.n = s.length;
    this.pos = pos;
    this.plusIsSpace = plusIsSpace;
    this.versionComments = 0;
    this.type = TK_END;
    this.start = pos;
    this.end = pos;
    this.sawInlineComment = false;
  }

  /** Offset just after the current token. */
  get position(): number {
    return this.pos;
  }

  /** Character code at an offset relative to the next unread character (-1 past the end). */
  peekCode(offset = 0): number {
    const i = this.pos + offset;
    return i < this.n ? this.s.charCodeAt(i) : -1;
  }

  /** Offset of the next non-blank character (not consuming). */
  nextNonBlank(): number {
    let i = this.pos;
    while (i < this.n && isSpace(this.s.charCodeAt(i))) i++;
    return i;
  }

  /** Code of the next non-blank character, or -1. */
  peekNonBlank(): number {
    const i = this.nextNonBlank();
    return i < this.n ? this.s.charCodeAt(i) : -1;
  }

  /** Skips blanks and inline comments. Returns false when a comment runs to the end. */
  private skipBlank(): boolean {
    const s = this.s;
    const n = this.n;
    this.spaced = false;
    while (this.pos < n) {
      const c = s.charCodeAt(this.pos);
      if (isSpace(c) || (c === 43 && this.plusIsSpace)) {
        this.pos++;
        this.spaced = true;
        continue;
      }
      if (c === 47 && this.pos + 1 < n && s.charCodeAt(this.pos + 1) === 42) {
        // `/*`: an executable `/*!50000 ... */` exposes its content; otherwise skip to `*/`.
        if (this.pos + 2 < n && s.charCodeAt(this.pos + 2) === 33) {
          this.pos += 3;
          while (this.pos < n && isDigit(s.charCodeAt(this.pos))) this.pos++;
          this.versionComments++;
          this.spaced = true;
          this.sawInlineComment = true;
          continue;
        }
        const close = s.indexOf('*/', this.pos + 2);
        this.sawInlineComment = true;
        if (close < 0) return false;
        this.pos = close + 2;
        this.spaced = true;
        continue;
      }
      if (c === 42 && this.versionComments > 0 && this.pos + 1 < n && s.charCodeAt(this.pos + 1) === 47) {
        this.versionComments--;
        this.pos += 2;
        this.spaced = true;
        continue;
      }
      break;
    }
    return true;
  }

  /** Reads the next token into the public fields and returns its type. */
  next(): number {
    if (!this.skipBlank()) {
      this.start = this.pos;
      this.pos = this.n;
      this.end = this.n;
      return (this.type = TK_COMMENT);
    }
    const s = this.s;
    const n = this.n;
    const start = this.pos;
    this.start = start;
    this.numericWord = false;
    this.quotedIdent = false;
    this.systemVar = false;
    this.hexNumber = false;
    this.opClass = 0;
    if (start >= n) {
      this.end = n;
      return (this.type = TK_END);
    }
    const c = s.charCodeAt(start);
    const c2 = start + 1 < n ? s.charCodeAt(start + 1) : -1;

    // Comments that run to the end of the line: `--`, `#`, and the typographic dashes
    // that copy-pasted payloads carry instead of `--`.
    if ((c === 45 && c2 === 45) || c === 35 || c === 0x2013 || c === 0x2014) {
      this.pos = n;
      this.end = n;
      return (this.type = TK_COMMENT);
    }
    // Strings. The prime (U+2032) stands in for a quote in copy-pasted payloads.
    if (c === 39 || c === 34 || c === 0x2032) return this.lexString(c === 0x2032 ? 39 : c, start + 1);
    if (c === 96) {
      const close = s.indexOf('`', start + 1);
      this.pos = close < 0 ? n : close + 1;
      this.end = this.pos;
      this.text = '`';
      this.quotedIdent = true;
      return (this.type = TK_WORD);
    }
    if (isDigit(c) || (c === 46 && isDigit(c2))) return this.lexNumber(start);
    if (isWordStart(c)) {
      let i = start + 1;
      while (i < n && isWordPart(s.charCodeAt(i))) i++;
      this.text = s.slice(start, Math.min(i, start + MAX_WORD));
      if (i < n && (s.charCodeAt(i) === 39 || s.charCodeAt(i) === 0x2032) && STRING_PREFIXES.has(this.text)) {
        return this.lexString(39, i + 1);
      }
      this.pos = i;
      this.end = i;
      return (this.type = TK_WORD);
    }
    if (c === 64) {
      let i = start + 1;
      if (i < n && s.charCodeAt(i) === 64) {
        this.systemVar = true;
        i++;
      }
      const nameStart = i;
      while (i < n && (isWordPart(s.charCodeAt(i)) || s.charCodeAt(i) === 46)) i++;
      this.text = s.slice(nameStart, Math.min(i, nameStart + MAX_WORD));
      this.pos = i;
      this.end = i;
      return (this.type = TK_VAR);
    }
    this.pos = start + 1;
    this.end = start + 1;
    switch (c) {
      case 40:
        return (this.type = TK_LPAREN);
      case 41:
        return (this.type = TK_RPAREN);
      case 44:
        return (this.type = TK_COMMA);
      case 59:
        return (this.type = TK_SEMI);
      case 46:
        return (this.type = TK_DOT);
      default:
        return this.lexOperator(c, c2, start);
    }
  }

  private lexString(quote: number, from: number): number {
    const s = this.s;
    const n = this.n;
    let i = from;
    while (i < n) {
      let c = s.charCodeAt(i);
      if (c === 0x2032) c = 39;
      if (c === 92) {
        i += 2;
        continue;
      }
      if (c === quote) {
        const next = i + 1 < n ? s.charCodeAt(i + 1) : -1;
        if (next === quote || (quote === 39 && next === 0x2032)) {
          i += 2;
          continue;
        }
        this.pos = i + 1;
        this.end = i + 1;
        return (this.type = TK_STR);
      }
      i++;
    }
    this.pos = n;
    this.end = n;
    return (this.type = TK_STR_OPEN);
  }

  private lexNumber(start: number): number {
    const s = this.s;
    const n = this.n;
    let i = start;
    const c2 = start + 1 < n ? s.charCodeAt(start + 1) : -1;
    if (s.charCodeAt(start) === 48 && (c2 === 120 || c2 === 98)) {
      i = start + 2;
      while (i < n && ((s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) || (s.charCodeAt(i) >= 97 && s.charCodeAt(i) <= 102))) i++;
      if (i > start + 2 && !(i < n && isWordPart(s.charCodeAt(i)))) {
        this.hexNumber = true;
        this.pos = i;
        this.end = i;
        this.text = '';
        return (this.type = TK_NUM);
      }
      i = start;
    }
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i < n && s.charCodeAt(i) === 46) {
      i++;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
    }
    if (i < n && s.charCodeAt(i) === 101) {
      let j = i + 1;
      if (j < n && (s.charCodeAt(j) === 43 || s.charCodeAt(j) === 45)) j++;
      if (j < n && isDigit(s.charCodeAt(j))) {
        i = j;
        while (i < n && isDigit(s.charCodeAt(i))) i++;
      }
    }
    if (i < n && isWordStart(s.charCodeAt(i))) {
      // `1st`, `90s`, `3pm`: an identifier in MySQL, prose everywhere else.
      while (i < n && isWordPart(s.charCodeAt(i))) i++;
      this.text = s.slice(start, Math.min(i, start + MAX_WORD));
      this.numericWord = true;
      this.pos = i;
      this.end = i;
      return (this.type = TK_WORD);
    }
    this.pos = i;
    this.end = i;
    this.text = '';
    return (this.type = TK_NUM);
  }

  private lexOperator(c: number, c2: number, start: number): number {
    const s = this.s;
    const n = this.n;
    const c3 = start + 2 < n ? s.charCodeAt(start + 2) : -1;
    let len = 1;
    let cls = 0;
    switch (c) {
      case 61: // =
        cls = OP_CMP;
        if (c2 === 61) len = 2;
        break;
      case 60: // <
        cls = OP_CMP;
        if (c2 === 61 && c3 === 62) len = 3;
        else if (c2 === 62 || c2 === 61) len = 2;
        else if (c2 === 60) {
          len = 2;
          cls = OP_ARITH;
        }
        break;
      case 62: // >
        cls = OP_CMP;
        if (c2 === 61) len = 2;
        else if (c2 === 62) {
          len = 2;
          cls = OP_ARITH;
        }
        break;
      case 33: // !
        if (c2 === 61 || c2 === 60 || c2 === 62) {
          len = 2;
          cls = OP_CMP;
        } else cls = OP_UNARY;
        break;
      case 124: // |
        if (c2 === 124) {
          len = 2;
          cls = OP_LOGIC;
        } else cls = OP_ARITH;
        break;
      case 38: // &
        if (c2 === 38) {
          len = 2;
          cls = OP_LOGIC;
        } else cls = OP_ARITH;
        break;
      case 58: // :
        if (c2 === 61) {
          len = 2;
          cls = OP_ASSIGN;
        } else if (c2 === 58) {
          len = 2;
          cls = OP_ARITH;
        }
        break;
      case 45: // - (and -> ->>)
        cls = OP_ARITH;
        if (c2 === 62) len = c3 === 62 ? 3 : 2;
        break;
      case 43:
      case 42:
      case 47:
      case 37:
      case 94:
        cls = OP_ARITH;
        break;
      case 126:
        cls = OP_UNARY;
        break;
      default:
        cls = 0;
    }
    if (cls === 0) {
      this.text = s.charAt(start);
      return (this.type = TK_OTHER);
    }
    this.pos = start + len;
    this.end = start + len;
    this.text = s.slice(start, start + len);
    this.opClass = cls;
    return (this.type = TK_OP);
  }
}
