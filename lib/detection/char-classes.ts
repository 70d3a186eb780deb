/**
 * Character classes of a value, as a bit set computed in one pass. The engine uses it to
 * run only the rule families that can match: prose made of letters, blanks and ordinary
 * punctuation never reaches the markup, path or NoSQL rules.
 */

export const M_LT = 1 << 0;
export const M_COLON = 1 << 1;
export const M_PAREN = 1 << 2;
export const M_BACKTICK = 1 << 3;
export const M_BRACE = 1 << 4;
export const M_EQ = 1 << 5;
export const M_AMP = 1 << 6;
export const M_BSLASH = 1 << 7;
export const M_SLASH = 1 << 8;
export const M_PERCENT = 1 << 9;
export const M_QUESTION = 1 << 10;
export const M_DOLLAR = 1 << 11;
export const M_SEMI = 1 << 12;
export const M_PIPE = 1 << 13;
/** Control characters (other than tab and line breaks) and anything outside ASCII. */
export const M_HIGH = 1 << 14;
export const M_UNDERSCORE = 1 << 15;
export const M_DOT = 1 << 16;
export const M_BRACKET = 1 << 17;
export const M_GT = 1 << 18;
export const M_NEWLINE = 1 << 19;
export const M_QUOTE = 1 << 20;
export const M_PLUS = 1 << 21;
/** NUL, which is also in M_HIGH. */
export const M_NUL = 1 << 22;
/** ASCII capital letters (case folding has work to do). */
export const M_UPPER = 1 << 23;

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(128);
  for (let c = 0; c < 32; c++) t[c] = M_HIGH;
  t[0] = M_HIGH | M_NUL;
  t[9] = 0;
  t[10] = M_NEWLINE;
  t[13] = M_NEWLINE;
  t[127] = M_HIGH;
  const pairs: [string, number][] = [
    ['<', M_LT], ['>', M_GT], [':', M_COLON], ['(', M_PAREN], [')', M_PAREN], ['`', M_BACKTICK], ['{', M_BRACE],
    ['}', M_BRACE], ['=', M_EQ], ['&', M_AMP], ['\\', M_BSLASH], ['/', M_SLASH], ['%', M_PERCENT], ['?', M_QUESTION],
    ['$', M_DOLLAR], [';', M_SEMI], ['|', M_PIPE], ['_', M_UNDERSCORE], ['.', M_DOT], ['[', M_BRACKET],
    [']', M_BRACKET], ["'", M_QUOTE], ['"', M_QUOTE], ['+', M_PLUS],
  ];
  for (const [ch, bit] of pairs) t[ch.charCodeAt(0)] |= bit;
  for (let c = 65; c <= 90; c++) t[c] |= M_UPPER;
  return t;
})();

/** Class bits of one character code. */
export function charClass(c: number): number {
  return c < 128 ? TABLE[c] : M_HIGH;
}

/** Bit set of the character classes present in `s`. */
export function charMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    m |= c < 128 ? TABLE[c] : M_HIGH;
  }
  return m;
}
