import { codesToString } from './normalize';

/**
 * Builds a string from pieces in a reusable UTF-16 buffer. Long chains of `+=` build
 * nested ropes that the next reader must flatten, and that flattening (plus the garbage)
 * made some decoders slower than linear on megabyte values; a buffer keeps them linear.
 * Scanning is synchronous, so each module keeps one builder and finishes one string at a
 * time with it.
 */
export class TextBuilder {
  private buf = new Uint16Array(1024);
  private len = 0;

  /** Starts a new string; `capacity` is a hint. */
  reset(capacity: number): void {
    if (this.buf.length < capacity) this.buf = new Uint16Array(Math.max(capacity, this.buf.length * 2));
    this.len = 0;
  }

  private grow(need: number): void {
    const bigger = new Uint16Array(Math.max(this.buf.length * 2, need));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }

  /** Appends one UTF-16 code unit. */
  code(c: number): void {
    if (this.len >= this.buf.length) this.grow(this.len + 1);
    this.buf[this.len++] = c;
  }

  /** Appends `s.slice(from, to)`. */
  range(s: string, from: number, to: number): void {
    if (to <= from) return;
    if (this.len + (to - from) > this.buf.length) this.grow(this.len + (to - from));
    const b = this.buf;
    let n = this.len;
    for (let i = from; i < to; i++) b[n++] = s.charCodeAt(i);
    this.len = n;
  }

  /** Appends a whole string. */
  text(s: string): void {
    this.range(s, 0, s.length);
  }

  /** The string built so far. */
  done(): string {
    return codesToString(this.buf, this.len);
  }
}
