/**
 * Cross-site scripting: judged the way a browser reads markup.
 *
 * - Tags are tokenised as the HTML tokenizer does (name, attributes with quoted or bare
 *   values, `/` as a separator) and scored by what the element and its attributes do:
 *   active elements (`script`, `iframe`, `svg`...), event handlers, URL attributes that
 *   carry `javascript:` or `data:`, CSS expressions, and closing tags that break out of a
 *   raw-text context (`</textarea>`, `</script>`).
 * - Outside tags: script URLs (schemes with the blanks browsers ignore), attribute
 *   injection (`" onfocus=...`), breaking out of a JavaScript string into a call
 *   (`';alert(1)//`), template expressions, JSFuck.
 *
 * Everything runs on the `markup` view (entities, JS and CSS escapes decoded). Each scan
 * moves forward only, so the work is linear in the length of the value.
 */
import type { NormalizedValue } from './normalize';
import { codesToString } from './normalize';
import type { FindingList, Rule } from './findings';
import { TextBuilder } from './text-builder';
import {
  ACTIVE_ELEMENTS, BREAKOUT_ELEMENTS, KNOWN_ELEMENTS, URL_ATTRIBUTES, EVENT_HANDLERS, SCRIPT_SCHEMES, JS_SINKS,
  JS_PROOF_SINKS, JS_TARGETS,
} from './html-vocabulary';

/** Text-formatting elements that, without attributes, cannot load or run anything. */
const INERT_FORMATTING: ReadonlySet<string> = new Set(['b', 'i', 'u', 's', 'em', 'strong', 'small', 'mark', 'sub', 'sup', 'p', 'br', 'hr', 'code', 'pre', 'kbd', 'samp', 'var', 'blockquote', 'q', 'cite', 'abbr', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'del', 'ins', 'strike', 'tt', 'big', 'span', 'div']);

/** Rule ids and scores (see docs/detection.md). */
export const XSS_RULES = {
  scriptTag: { id: 'xss.script_tag', score: 10 },
  activeTag: { id: 'xss.active_tag', score: 9 },
  eventHandler: { id: 'xss.event_handler', score: 10 },
  unknownHandler: { id: 'xss.event_handler', score: 8 },
  scriptUrlAttr: { id: 'xss.script_url', score: 10 },
  scriptUrlValue: { id: 'xss.script_url', score: 9 },
  scriptUrlEmbedded: { id: 'xss.script_url', score: 8 },
  scriptUrlProse: { id: 'xss.script_url', score: 6 },
  dataUrl: { id: 'xss.data_url', score: 9 },
  cssExpression: { id: 'xss.css_expression', score: 9 },
  contextBreakout: { id: 'xss.context_breakout', score: 8 },
  scriptClose: { id: 'xss.context_breakout', score: 9 },
  htmlTag: { id: 'xss.html_tag', score: 8 },
  htmlTagBare: { id: 'xss.html_tag', score: 7 },
  htmlTagWeak: { id: 'xss.html_tag', score: 5 },
  closingTag: { id: 'xss.html_tag', score: 7 },
  encodedMarkup: { id: 'xss.encoded_markup', score: 7 },
  encodedMarkupNamed: { id: 'xss.encoded_markup', score: 5 },
  conditionalComment: { id: 'xss.markup_declaration', score: 7 },
  attributeInjectionCall: { id: 'xss.attribute_injection', score: 8 },
  jsSinkContext: { id: 'xss.js_sink', score: 8 },
  markupDeclaration: { id: 'xss.markup_declaration', score: 7 },
  xmlProlog: { id: 'xss.markup_declaration', score: 6 },
  htmlComment: { id: 'xss.markup_declaration', score: 4 },
  unknownTagAttrs: { id: 'xss.unknown_tag', score: 4 },
  attributeInjection: { id: 'xss.attribute_injection', score: 9 },
  attributeInjectionWeak: { id: 'xss.attribute_injection', score: 6 },
  jsBreakout: { id: 'xss.script_breakout', score: 9 },
  jsSinkLeading: { id: 'xss.js_sink', score: 7 },
  jsSink: { id: 'xss.js_sink', score: 7 },
  jsTarget: { id: 'xss.js_sink', score: 5 },
  template: { id: 'xss.template_injection', score: 8 },
  jsfuck: { id: 'xss.obfuscated_js', score: 9 },
  charset: { id: 'xss.charset_evasion', score: 9 },
} as const;

/** Best match so far for one value. */
class Best {
  score = 0;
  rule = '';
  start = 0;
  end = 0;
  text = '';

  take(rule: Rule, text: string, start: number, end: number, bonus = 0): void {
    const s = rule.score + bonus;
    if (s > this.score) {
      this.score = s;
      this.rule = rule.id;
      this.start = start;
      this.end = end;
      this.text = text;
    }
  }
}

function isBlankOrControl(c: number): boolean {
  return c <= 32 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0xa0 || (c >= 0x2000 && c <= 0x200f) ||
    c === 0x2028 || c === 0x2029 || c === 0x3000 || c === 0xfeff || c === 0x180e;
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isIdentChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 36;
}

function isTagNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 58 || c === 95 || c === 45;
}

/** Characters that end a tag name for the HTML tokenizer. */
function endsTagName(c: number): boolean {
  return c < 0 || isBlankOrControl(c) || c === 47 || c === 62;
}

const MAX_OPEN_TRACKED = 16;

/** Element names that are also ordinary nouns, written as `<placeholder>` in documentation. */
const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set([
  'section', 'title', 'summary', 'source', 'data', 'time', 'label', 'output', 'option', 'select', 'input', 'menu',
  'header', 'footer', 'main', 'code', 'table', 'text', 'view', 'path', 'filter', 'set', 'use', 'mark', 'element',
  'content', 'comment', 'search', 'address', 'article', 'details', 'dialog', 'g', 'line', 'rect', 'symbol', 'switch',
  'stop', 'marker', 'mask', 'pattern', 'image', 'picture', 'progress', 'meter', 'slot', 'template', 'var', 'kbd',
  'samp', 'cite', 'abbr', 'small', 'big', 'del', 'ins', 'sub', 'sup', 'font', 'center', 'strong', 'em',
]);

/**
 * Reads the scheme that ends just before the `:` at `colon`, skipping the blanks and
 * control characters browsers strip from a URL scheme (`jav&#x09;ascript:`). Returns the
 * scheme and, in `schemeStart`, where it begins; '' when there is no letter run.
 */
function schemeBefore(m: string, colon: number, out: { schemeStart: number }): string {
  let i = colon - 1;
  let letters = 0;
  let gaps = false;
  let budget = 40;
  while (i >= 0 && budget-- > 0) {
    const c = m.charCodeAt(i);
    if (isLetter(c)) {
      if (++letters > 12) return '';
    } else if (isBlankOrControl(c)) gaps = true;
    else break;
    i--;
  }
  // The scheme must start at a boundary: not in the middle of a word.
  out.schemeStart = i + 1;
  while (out.schemeStart < colon && isBlankOrControl(m.charCodeAt(out.schemeStart))) out.schemeStart++;
  if (letters === 0) return '';
  if (!gaps) return m.slice(out.schemeStart, colon);
  let scheme = '';
  for (let k = out.schemeStart; k < colon; k++) if (isLetter(m.charCodeAt(k))) scheme += m.charAt(k);
  return scheme;
}

const DATA_TYPES = ['text/html', 'text/javascript', 'application/', 'image/svg', 'text/xml', 'text/xsl', 'text/plain;base64', 'text/ecmascript'];

/** True when a `data:` URL at `colon` carries a document or a script. */
function dangerousData(m: string, colon: number): boolean {
  let i = colon + 1;
  while (i < m.length && isBlankOrControl(m.charCodeAt(i))) i++;
  for (const t of DATA_TYPES) if (m.startsWith(t, i)) return true;
  if (m.charCodeAt(i) === 44) {
    // `data:,alert(1)` (a script src) or `data:,<script>`
    const tail = m.slice(i + 1, i + 60);
    return tail.indexOf('(') >= 0 || tail.indexOf('<') >= 0;
  }
  const semi = m.slice(i, i + 80);
  return semi.indexOf(';base64,') >= 0 && semi.indexOf('/') > 0;
}

/** True when what follows a script scheme looks like code rather than prose. */
function codeFollows(m: string, colon: number): boolean {
  const end = Math.min(m.length, colon + 60);
  let i = colon + 1;
  while (i < end && isBlankOrControl(m.charCodeAt(i))) i++;
  if (i >= m.length) return false;
  for (let k = i; k < end; k++) {
    const c = m.charCodeAt(k);
    if (c === 58) return false; // another scheme: judged at its own colon
    // ( ) ` / = ; [ % & \ ' " { +
    if (c === 40 || c === 96 || c === 47 || c === 61 || c === 59 || c === 91 || c === 37 || c === 38 ||
      c === 92 || c === 39 || c === 34 || c === 123 || c === 43) return true;
  }
  return false;
}

/** Scans one value; adds at most one `xss.*` finding (the strongest) to `out`. */
/**
 * `prose`: the value is a free-text answer a person typed (`answer` location), where someone may
 * format with markup: there, text-formatting elements without attributes (`<b>`, `<em>`, `<p>`)
 * are weak evidence. Everywhere else they keep their full score (an HTML-injection probe).
 */
export function scanXss(nv: NormalizedValue, out: FindingList, prose = false): void {
  const m = nv.markup;
  const best = new Best();
  const hasLt = m.indexOf('<') >= 0;
  if (hasLt) scanTags(m, best, prose);
  // US-ASCII charset trick: `¼script¾` is `<script>` with the high bit set.
  // (Checked on the raw value: NFKC turns `¼` into `1⁄4`.)
  const raw = nv.raw;
  if (raw.indexOf('\u00bc') >= 0 && raw.indexOf('\u00be') >= 0) {
    const codes = new Uint16Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      codes[i] = c >= 0x80 && c <= 0xff ? c & 0x7f : c;
    }
    const stripped = codesToString(codes, codes.length);
    const inner = new Best();
    scanTags(stripped.toLowerCase(), inner);
    if (inner.score >= XSS_RULES.htmlTagBare.score) best.take(XSS_RULES.charset, m, inner.start, inner.end);
  }
  if (hasLt && m !== nv.text && countChar(m, 60) > countChar(nv.text, 60)) {
    // An angle bracket that arrived encoded (`&#60;`, `\x3c`, `\u003c`): markup hiding from filters.
    best.take(nv.text.indexOf('&lt') >= 0 && nv.text.indexOf('&#') < 0 && nv.text.indexOf('\\') < 0
      ? XSS_RULES.encodedMarkupNamed : XSS_RULES.encodedMarkup, m, m.indexOf('<'), m.indexOf('<') + 20);
  }
  if (m.indexOf(':') >= 0) scanSchemes(m, best);
  if (m.indexOf('on') >= 0 && m.indexOf('=') >= 0) scanAttributeInjection(m, best);
  if (m.indexOf('(') >= 0 || m.indexOf('`') >= 0) scanJs(m, best);
  if (m.indexOf('{{') >= 0) scanTemplate(m, best);
  if (m.indexOf('pression') >= 0 || m.indexOf('-moz-binding') >= 0 || m.indexOf('behavior') >= 0) scanCss(m, best);
  if (m.length >= 24 && m.indexOf('[]') >= 0) scanJsFuck(m, best);
  if (best.score > 0) out.add('xss', best.rule, best.score, best.text, best.start, best.end);
}

function countChar(s: string, code: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === code) n++;
  return n;
}

/** The HTML tag tokenizer. */
function scanTags(m: string, best: Best, prose = false): void {
  const n = m.length;
  const opened: string[] = [];
  let i = m.indexOf('<');
  while (i >= 0 && i < n) {
    let j = i + 1;
    let closing = false;
    if (j < n && m.charCodeAt(j) === 47) {
      closing = true;
      j++;
      // `</ foo="><script>`: a bogus comment for the browser, but worth scanning inside.
    }
    const c = j < n ? m.charCodeAt(j) : -1;
    if (!closing && c === 33) {
      // <!-- ... -->, <!DOCTYPE, <![CDATA[, <!ENTITY
      if (m.startsWith('!--', j)) {
        if (m.startsWith('!--[if', j)) best.take(XSS_RULES.conditionalComment, m, i, j + 10);
        else if (!m.startsWith('!--#', j)) best.take(XSS_RULES.htmlComment, m, i, j + 3);
      } else if (m.startsWith('![cdata[', j) || m.startsWith('!doctype', j) || m.startsWith('!entity', j) ||
        m.startsWith('!element', j) || m.startsWith('!attlist', j)) {
        best.take(XSS_RULES.markupDeclaration, m, i, j + 9);
      }
      i = m.indexOf('<', j);
      continue;
    }
    if (!closing && c === 63) {
      // <?xml ...?>, <?import ...?> (processing instructions reach XML and old IE)
      // <?import ...?> and <?xml-stylesheet?> load code (old IE, XSLT); a plain XML prolog is data.
      if (m.startsWith('?import', j) || m.startsWith('?xml-stylesheet', j)) best.take(XSS_RULES.markupDeclaration, m, i, j + 8);
      else if (m.startsWith('?xml', j)) best.take(XSS_RULES.xmlProlog, m, i, j + 8);
      i = m.indexOf('<', j);
      continue;
    }
    if (!isLetter(c)) {
      i = m.indexOf('<', i + 1);
      continue;
    }
    let k = j;
    while (k < n && isTagNameChar(m.charCodeAt(k))) k++;
    if (!endsTagName(k < n ? m.charCodeAt(k) : -1)) {
      // `<cw@ix.net.nz>`, `<scr<script>`: not a tag here; look at the next `<`.
      i = m.indexOf('<', j);
      continue;
    }
    const rawName = m.slice(j, Math.min(k, j + 40));
    const colon = rawName.lastIndexOf(':');
    const name = colon >= 0 ? rawName.slice(colon + 1) : rawName;
    const known = KNOWN_ELEMENTS.has(name);
    // Attributes.
    let p = k;
    let attrsWithValue = 0;
    let closed = false;
    while (p < n) {
      let ch = m.charCodeAt(p);
      while (p < n && (isBlankOrControl(ch) || ch === 47)) ch = m.charCodeAt(++p);
      if (p >= n) break;
      if (ch === 62) {
        closed = true;
        break;
      }
      const nameStart = p;
      p++;
      while (p < n) {
        const d = m.charCodeAt(p);
        if (isBlankOrControl(d) || d === 47 || d === 62 || d === 61) break;
        p++;
      }
      const attrEnd = p;
      while (p < n && isBlankOrControl(m.charCodeAt(p))) p++;
      let valueStart = -1;
      let valueEnd = -1;
      if (p < n && m.charCodeAt(p) === 61) {
        p++;
        while (p < n && isBlankOrControl(m.charCodeAt(p))) p++;
        const q = p < n ? m.charCodeAt(p) : -1;
        if (q === 34 || q === 39 || q === 96) {
          const close = m.indexOf(String.fromCharCode(q), p + 1);
          valueStart = p + 1;
          valueEnd = close < 0 ? n : close;
          p = close < 0 ? n : close + 1;
        } else {
          valueStart = p;
          while (p < n && !isBlankOrControl(m.charCodeAt(p)) && m.charCodeAt(p) !== 62) p++;
          valueEnd = p;
        }
        attrsWithValue++;
      }
      if (!closing) judgeAttribute(m, nameStart, attrEnd, valueStart, valueEnd, best, i);
    }
    const tagEnd = closed ? p + 1 : n;
    if (closing) {
      if (name === 'script') best.take(XSS_RULES.scriptClose, m, i, tagEnd);
      else if (BREAKOUT_ELEMENTS.has(name) && isRawTextElement(name)) best.take(XSS_RULES.contextBreakout, m, i, tagEnd);
      else if (known) {
        if (opened.indexOf(name) >= 0) best.take(XSS_RULES.htmlTag, m, i, tagEnd);
        else if (prose && INERT_FORMATTING.has(name)) best.take(XSS_RULES.htmlTagWeak, m, i, tagEnd);
        else best.take(closed ? XSS_RULES.closingTag : XSS_RULES.htmlTagWeak, m, i, tagEnd);
      }
    } else if (name === 'script') {
      best.take(XSS_RULES.scriptTag, m, i, tagEnd);
    } else if (ACTIVE_ELEMENTS.has(name)) {
      best.take(XSS_RULES.activeTag, m, i, tagEnd);
    } else if (known && prose && attrsWithValue === 0 && INERT_FORMATTING.has(name)) {
      // Formatting in free text (`<b>`, `<em>`, `<p>` with no attribute) cannot run anything.
      best.take(XSS_RULES.htmlTagWeak, m, i, tagEnd);
    } else if (known) {
      if (attrsWithValue > 0) best.take(XSS_RULES.htmlTag, m, i, tagEnd);
      // `<section>`, `<source>`, `<title>` are also how documentation writes placeholders.
      else if (closed && name.length > 1 && !PLACEHOLDER_NAMES.has(name)) best.take(XSS_RULES.htmlTagBare, m, i, tagEnd);
      else best.take(XSS_RULES.htmlTagWeak, m, i, tagEnd);
      if (opened.length < MAX_OPEN_TRACKED) opened.push(name);
    } else if (attrsWithValue > 0) {
      best.take(XSS_RULES.unknownTagAttrs, m, i, tagEnd);
    }
    if (!closed) break; // the rest of the value was inside this tag
    i = m.indexOf('<', p + 1);
  }
}

function isRawTextElement(name: string): boolean {
  return name === 'textarea' || name === 'title' || name === 'style' || name === 'noscript' || name === 'xmp' ||
    name === 'noembed' || name === 'noframes' || name === 'plaintext' || name === 'template' || name === 'iframe' ||
    name === 'select' || name === 'option';
}

/** Scores one attribute of an opening tag. */
function judgeAttribute(m: string, ns: number, ne: number, vs: number, ve: number, best: Best, tagStart: number): void {
  // The attribute's name as the DOM sees it: the leading run of name characters.
  let e = ns;
  while (e < ne && isTagNameChar(m.charCodeAt(e))) e++;
  const rawName = m.slice(ns, Math.min(e, ns + 40));
  const tagEnd = ve >= 0 ? Math.min(m.length, ve + 1) : ne;
  if (rawName.length > 2 && rawName.charCodeAt(0) === 111 && rawName.charCodeAt(1) === 110) {
    // on*
    if (EVENT_HANDLERS.has(rawName)) best.take(XSS_RULES.eventHandler, m, tagStart, tagEnd);
    else if (vs >= 0 && isLetter(rawName.charCodeAt(2))) best.take(XSS_RULES.unknownHandler, m, tagStart, tagEnd);
    return;
  }
  if (vs < 0) return;
  const colon = rawName.lastIndexOf(':');
  const local = colon >= 0 && rawName !== 'xlink:href' ? rawName.slice(colon + 1) : rawName;
  if (local === 'srcdoc') {
    best.take(XSS_RULES.dataUrl, m, tagStart, tagEnd);
    return;
  }
  if (local === 'style') {
    const v = m.slice(vs, Math.min(ve, vs + 400));
    if (v.indexOf('expression') >= 0 || v.indexOf('javascript:') >= 0 || v.indexOf('behavior') >= 0 ||
      v.indexOf('-moz-binding') >= 0 || v.indexOf('@import') >= 0) best.take(XSS_RULES.cssExpression, m, tagStart, tagEnd);
    return;
  }
  if (!URL_ATTRIBUTES.has(local) && !URL_ATTRIBUTES.has(rawName)) return;
  // The value's scheme, with the blanks and controls browsers ignore removed.
  let scheme = '';
  let k = vs;
  while (k < ve && scheme.length <= 12) {
    const c = m.charCodeAt(k);
    if (c === 58) break;
    if (isLetter(c)) scheme += m.charAt(k);
    else if (!isBlankOrControl(c)) return;
    k++;
  }
  if (k >= ve || m.charCodeAt(k) !== 58) return;
  if (SCRIPT_SCHEMES.has(scheme)) best.take(XSS_RULES.scriptUrlAttr, m, tagStart, tagEnd);
  else if (scheme === 'data' && dangerousData(m, k)) best.take(XSS_RULES.dataUrl, m, tagStart, tagEnd);
}

/** `javascript:` and friends anywhere in the value. */
function scanSchemes(m: string, best: Best): void {
  const pos = { schemeStart: 0 };
  let lead = 0;
  while (lead < m.length && (isBlankOrControl(m.charCodeAt(lead)) || m.charCodeAt(lead) === 34 || m.charCodeAt(lead) === 39)) lead++;
  let colon = m.indexOf(':');
  while (colon >= 0) {
    const scheme = schemeBefore(m, colon, pos);
    if (scheme.length >= 4 && (SCRIPT_SCHEMES.has(scheme) || scheme === 'data')) {
      const before = pos.schemeStart > 0 ? m.charCodeAt(pos.schemeStart - 1) : -1;
      const boundary = before < 0 || !isIdentChar(before);
      if (boundary) {
        const atStart = lead >= pos.schemeStart;
        // Prose puts a blank before a word; anything else (`=`, a quote, `(`, `,`, `?`) embeds the URL.
        const embedded = before >= 0 && !isBlankOrControl(before);
        if (scheme === 'data') {
          if (dangerousData(m, colon)) best.take(atStart || embedded ? XSS_RULES.dataUrl : XSS_RULES.scriptUrlProse, m, pos.schemeStart, colon + 40);
        } else if (codeFollows(m, colon)) {
          if (atStart) best.take(XSS_RULES.scriptUrlValue, m, pos.schemeStart, colon + 40);
          else if (embedded) best.take(XSS_RULES.scriptUrlEmbedded, m, pos.schemeStart, colon + 40);
          else best.take(XSS_RULES.scriptUrlProse, m, pos.schemeStart, colon + 40);
        }
        // Later schemes cannot score above an embedded one (only the first can be at the start).
        if (best.score >= XSS_RULES.scriptUrlEmbedded.score) return;
      }
    }
    colon = m.indexOf(':', colon + 1);
  }
}

/**
 * Attribute injection: the value closes an attribute and adds an event handler
 * (`" autofocus onfocus=alert(1) x="`).
 */
function scanAttributeInjection(m: string, best: Best): void {
  let i = m.indexOf('on');
  const n = m.length;
  const firstQuote = firstIndexOfAny(m, '"', "'", '`');
  while (i >= 0) {
    const before = i > 0 ? m.charCodeAt(i - 1) : -1;
    if (before < 0 || isBlankOrControl(before) || before === 34 || before === 39 || before === 96 || before === 47 || before === 59) {
      let k = i + 2;
      while (k < n && k - i < 32 && isLetter(m.charCodeAt(k))) k++;
      const name = m.slice(i, k);
      let e = k;
      while (e < n && e - k < 8 && isBlankOrControl(m.charCodeAt(e))) e++;
      if (e < n && m.charCodeAt(e) === 61 && EVENT_HANDLERS.has(name)) {
        // A quote before the handler means the value closes the attribute it sits in.
        const quoteBefore = firstQuote >= 0 && firstQuote < i;
        const value = m.slice(e + 1, e + 80);
        const call = value.indexOf('(') >= 0 || value.indexOf('`') >= 0;
        best.take(quoteBefore ? XSS_RULES.attributeInjection : call ? XSS_RULES.attributeInjectionCall
          : XSS_RULES.attributeInjectionWeak, m, i, e + 30);
      }
      i = m.indexOf('on', k);
    } else {
      i = m.indexOf('on', i + 2);
    }
  }
}

function firstIndexOfAny(m: string, a: string, b: string, c: string): number {
  let best = -1;
  for (const x of [m.indexOf(a), m.indexOf(b), m.indexOf(c)]) if (x >= 0 && (best < 0 || x < best)) best = x;
  return best;
}

/**
 * Calls to script sinks (`alert(1)`, ``alert`1` ``, `eval(...)`) and the JavaScript-string
 * breakout before them (`';alert(1)//`, `"-alert(1)-"`, `</script>`).
 */
function scanJs(m: string, best: Best): void {
  const n = m.length;
  const breakout = jsBreakoutAt(m);
  let firstNonBlank = 0;
  while (firstNonBlank < n && isBlankOrControl(m.charCodeAt(firstNonBlank))) firstNonBlank++;
  for (let i = 0; i < n; i++) {
    const c = m.charCodeAt(i);
    if (c !== 40 && c !== 96) continue;
    // Read the identifier before the call, skipping blanks and `.call`/`.apply`.
    let e = i - 1;
    while (e >= 0 && i - e < 16 && isBlankOrControl(m.charCodeAt(e))) e--;
    let s = e;
    while (s >= 0 && e - s < 24 && isIdentChar(m.charCodeAt(s))) s--;
    let ident = m.slice(s + 1, e + 1);
    if ((ident === 'call' || ident === 'apply' || ident === 'bind') && s >= 0 && m.charCodeAt(s) === 46) {
      const e2 = s - 1;
      let s2 = e2;
      while (s2 >= 0 && e2 - s2 < 24 && isIdentChar(m.charCodeAt(s2))) s2--;
      ident = m.slice(s2 + 1, e2 + 1);
      s = s2;
    }
    if (ident.length < 4 || !JS_SINKS.has(ident)) {
      // `top['al'+'ert'](1)`, `window['alert'](1)`, `[alert][0](1)`: a sink reached by index.
      if (c === 40 && e >= 0 && m.charCodeAt(e) === 93) judgeIndexedCall(m, e, i, breakout, best);
      continue;
    }
    if (s >= 0 && isIdentChar(m.charCodeAt(s))) continue;
    const proof = JS_PROOF_SINKS.has(ident);
    if (breakout >= 0 && breakout <= s + 1) {
      best.take(proof ? XSS_RULES.jsBreakout : XSS_RULES.attributeInjectionWeak, m, breakout, i + 20);
    } else if (proof) {
      // Context that makes a bare call an injection: a statement separator or the end of
      // a tag just before it, or an argument that reads what XSS steals.
      let b = s;
      while (b >= 0 && isBlankOrControl(m.charCodeAt(b))) b--;
      const prev = b >= 0 ? m.charCodeAt(b) : -1;
      const arg = m.slice(i + 1, i + 40);
      // `${alert(1)}`, `#{alert(1)}`: an interpolation in a template literal or a template engine.
      const interp = prev === 123 && b > 0 && (m.charCodeAt(b - 1) === 36 || m.charCodeAt(b - 1) === 35);
      if (prev === 59 || prev === 62 || interp || arg.indexOf('document') >= 0 || arg.indexOf('cookie') >= 0) {
        best.take(XSS_RULES.jsSinkContext, m, s + 1, i + 20);
      } else best.take(firstNonBlank > s ? XSS_RULES.jsSinkLeading : XSS_RULES.jsSink, m, s + 1, i + 20);
    } else if (ident === 'fromcharcode' || ident === 'execscript' || (ident === 'constructor' && s >= 0 && m.charCodeAt(s) === 46)) {
      // `String.fromCharCode(`, `x.constructor(` (reaching the Function constructor); a class's
      // own `constructor(options) {` is ordinary code.
      best.take(XSS_RULES.jsSink, m, s + 1, i + 20);
    }
  }
  // Reads of what XSS steals: `document.cookie`, `.innerhtml=`.
  let d = m.indexOf('document.');
  while (d >= 0) {
    let k = d + 9;
    while (k < n && k - d < 30 && isIdentChar(m.charCodeAt(k))) k++;
    if (JS_TARGETS.has(m.slice(d + 9, k))) best.take(breakout >= 0 && breakout < d ? XSS_RULES.jsBreakout : XSS_RULES.jsTarget, m, d, k);
    d = m.indexOf('document.', d + 9);
  }
}

function judgeIndexedCall(m: string, close: number, paren: number, breakout: number, best: Best): void {
  // Look back a bounded distance only, so that `](`*n stays linear.
  let open = -1;
  for (let k = close - 1; k >= 0 && close - k <= 40; k--) {
    if (m.charCodeAt(k) === 91) {
      open = k;
      break;
    }
  }
  if (open < 0) return;
  let inner = '';
  for (let k = open + 1; k < close; k++) {
    const c = m.charCodeAt(k);
    if (isLetter(c)) inner += m.charAt(k);
  }
  if (JS_PROOF_SINKS.has(inner)) {
    best.take(breakout >= 0 && breakout < open ? XSS_RULES.jsBreakout : XSS_RULES.jsSinkLeading, m, open, paren + 10);
  }
}

/**
 * Where the value leaves a JavaScript string or block: a quote followed by an operator
 * (`';`, `"-`, `'+`, `")`), a leading `;`/`)`/`}`, or `</script>`. -1 when none.
 */
function jsBreakoutAt(m: string): number {
  const n = m.length;
  let lead = 0;
  while (lead < n && isBlankOrControl(m.charCodeAt(lead))) lead++;
  if (lead < n) {
    const c = m.charCodeAt(lead);
    if (c === 59 || c === 41 || c === 125) return lead;
  }
  // The first quote of each kind is where the application's string ends (as for SQL).
  let best = -1;
  for (const i of [m.indexOf("'"), m.indexOf('"'), m.indexOf('`')]) {
    if (i < 0) continue;
    let k = i + 1;
    while (k < n && k - i < 4 && isBlankOrControl(m.charCodeAt(k))) k++;
    const d = k < n ? m.charCodeAt(k) : -1;
    // ; + - * / % | & ^ ) }
    if (d === 59 || d === 43 || d === 45 || d === 42 || d === 47 || d === 37 || d === 124 || d === 38 ||
      d === 94 || d === 41 || d === 125) {
      if (best < 0 || i < best) best = i;
    }
  }
  const sc = m.indexOf('</script');
  if (sc >= 0 && (best < 0 || sc < best)) best = sc;
  return best;
}

/** AngularJS / Vue template expressions that reach the Function constructor. */
function scanTemplate(m: string, best: Best): void {
  let i = m.indexOf('{{');
  while (i >= 0) {
    const close = m.indexOf('}}', i + 2);
    const end = close < 0 ? Math.min(m.length, i + 300) : Math.min(close, i + 300);
    const body = m.slice(i + 2, end);
    if (body.indexOf('constructor') >= 0 || body.indexOf('$eval') >= 0 || body.indexOf('$on') >= 0 ||
      body.indexOf('alert') >= 0 || body.indexOf('$emit') >= 0 || body.indexOf('tostring().') >= 0) {
      best.take(XSS_RULES.template, m, i, end + 2);
    }
    if (close < 0) break;
    i = m.indexOf('{{', close + 2);
  }
}

/** CSS that runs script: IE `expression()`, `-moz-binding`, `behavior: url()`. */
function scanCss(m0: string, best: Best): void {
  // `ex/**/pression(`: CSS comments split keywords.
  const m = m0.indexOf('/*') >= 0 ? stripBlockComments(m0) : m0;
  let i = m.indexOf('expression');
  while (i >= 0) {
    let k = i + 10;
    while (k < m.length && k - i < 20 && isBlankOrControl(m.charCodeAt(k))) k++;
    const before = i > 0 ? m.charCodeAt(i - 1) : -1;
    if (m.charCodeAt(k) === 40 && (before === 58 || before === 32 || before === 34 || before === 39 || isBlankOrControl(before))) {
      // Needs a CSS context: a `style` nearby or a `property:` just before.
      const ctx = m.slice(Math.max(0, i - 40), i);
      if (ctx.indexOf(':') >= 0 || ctx.indexOf('style') >= 0) best.take(XSS_RULES.cssExpression, m, i, k + 20);
    }
    i = m.indexOf('expression', i + 10);
  }
  const b = m.indexOf('-moz-binding');
  if (b >= 0 && m.indexOf('url', b) >= 0) best.take(XSS_RULES.cssExpression, m, b, b + 40);
  const h = m.indexOf('behavior');
  if (h >= 0) {
    const tail = m.slice(h + 8, h + 20);
    if (tail.indexOf(':') >= 0 && tail.indexOf('url') >= 0) best.take(XSS_RULES.cssExpression, m, h, h + 40);
  }
}

/** Removes `/* ... *\/` comments (one pass; an unterminated comment runs to the end). */
export function stripBlockComments(s: string): string {
  const out = cssBuilder;
  out.reset(s.length);
  let from = 0;
  let i = s.indexOf('/*');
  while (i >= 0) {
    out.range(s, from, i);
    const close = s.indexOf('*/', i + 2);
    if (close < 0) return out.done();
    from = close + 2;
    i = s.indexOf('/*', from);
  }
  out.range(s, from, s.length);
  return out.done();
}

const cssBuilder = new TextBuilder();

/** JSFuck and similar: a value made almost only of `[]()!+`. */
function scanJsFuck(m: string, best: Best): void {
  let fuck = 0;
  let other = 0;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (c === 91 || c === 93 || c === 40 || c === 41 || c === 33 || c === 43) fuck++;
    else if (!isBlankOrControl(c)) other++;
  }
  if (fuck >= 24 && fuck >= other * 2) best.take(XSS_RULES.jsfuck, m, 0, 40);
}
