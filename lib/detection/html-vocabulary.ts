/**
 * Names from the HTML, SVG and MathML specifications that the XSS rules need: elements,
 * how dangerous each one is, attributes that take URLs, and DOM event handler names.
 */

/** Elements that run script or load active content by themselves. */
export const ACTIVE_ELEMENTS: ReadonlySet<string> = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'svg', 'math',
  'isindex', 'xml', 'import', 'portal', 'handler', 'listener', 'animate', 'set', 'bgsound', 'layer', 'ilayer',
  'foreignobject', 'animatetransform', 'animatemotion', 'discard', 'xss', 'param',
]);

/**
 * Elements used to break out of a raw-text context or to hijack a page without script
 * (`</textarea>`, `</title>`, forms that post elsewhere).
 */
export const BREAKOUT_ELEMENTS: ReadonlySet<string> = new Set([
  'style', 'form', 'button', 'textarea', 'title', 'noscript', 'xmp', 'plaintext', 'noembed', 'noframes',
  'template', 'input', 'keygen', 'img', 'image', 'video', 'audio', 'source', 'body', 'html', 'head', 'marquee',
  'details', 'select', 'option', 'a', 'area', 'map', 'table', 'td', 'th', 'tr', 'div', 'span', 'p', 'font',
]);

/** Every other element name a browser knows (HTML, legacy HTML, SVG, MathML). */
export const KNOWN_ELEMENTS: ReadonlySet<string> = new Set([
  ...ACTIVE_ELEMENTS, ...BREAKOUT_ELEMENTS,
  'abbr', 'acronym', 'address', 'article', 'aside', 'b', 'basefont', 'bdi', 'bdo', 'big', 'blink',
  'blockquote', 'br', 'canvas', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'data', 'datalist',
  'dd', 'del', 'dfn', 'dialog', 'dir', 'dl', 'dt', 'em', 'fieldset', 'figcaption', 'figure', 'footer', 'h1',
  'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'i', 'img', 'ins', 'kbd', 'label', 'legend', 'li',
  'listing', 'main', 'mark', 'menu', 'menuitem', 'meter', 'multicol', 'nav', 'nextid', 'nobr', 'ol', 'optgroup',
  'output', 'picture', 'pre', 'progress', 'q', 'rb', 'rp', 'rt', 'rtc', 'ruby', 's', 'samp', 'search',
  'section', 'slot', 'small', 'spacer', 'strike', 'strong', 'sub', 'summary', 'sup', 'tbody', 'tfoot', 'thead',
  'time', 'tt', 'u', 'ul', 'var', 'wbr', 'circle', 'clippath', 'defs', 'desc', 'ellipse', 'feimage', 'filter',
  'g', 'line', 'lineargradient', 'marker', 'mask', 'metadata', 'path', 'pattern', 'polygon', 'polyline',
  'radialgradient', 'rect', 'stop', 'switch', 'symbol', 'text', 'textpath', 'tspan', 'use', 'view', 'maction',
  'mi', 'mn', 'mo', 'ms', 'mtext', 'mrow', 'mglyph', 'malignmark', 'annotation-xml', 'semantics', 'animation',
  'stylesheet', 'comment', 'element', 'shadow', 'content', 'dialog',
]);

/** Attributes whose value a browser loads or navigates to. */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'dynsrc', 'lowsrc', 'poster',
  'code', 'codebase', 'cite', 'longdesc', 'usemap', 'profile', 'classid', 'archive', 'manifest', 'icon',
  'values', 'to', 'from', 'by', 'ping', 'srcset', 'content', 'value', 'style', 'folder', 'xmlns', 'ns',
  'implementation', 'handler', 'ev:handler', 'attributename', 'url', 'datasrc', 'filter', 'srcdoc',
]);

/** DOM event handler attribute names (without the `on` prefix handled separately). */
export const EVENT_HANDLERS: ReadonlySet<string> = new Set([
  'onabort', 'onactivate', 'onafterprint', 'onafterscriptexecute', 'onafterupdate', 'onanimationcancel',
  'onanimationend', 'onanimationiteration', 'onanimationstart', 'onauxclick', 'onbeforeactivate',
  'onbeforecopy', 'onbeforecut', 'onbeforedeactivate', 'onbeforeeditfocus', 'onbeforeinput', 'onbeforepaste',
  'onbeforeprint', 'onbeforescriptexecute', 'onbeforetoggle', 'onbeforeunload', 'onbeforeupdate', 'onbegin',
  'onblur', 'onbounce', 'oncancel', 'oncanplay', 'oncanplaythrough', 'oncellchange', 'onchange', 'onclick',
  'onclose', 'oncontextmenu', 'oncontrolselect', 'oncopy', 'oncuechange', 'oncut', 'ondataavailable',
  'ondatasetchanged', 'ondatasetcomplete', 'ondblclick', 'ondeactivate', 'ondrag', 'ondragdrop', 'ondragend',
  'ondragenter', 'ondragexit', 'ondragleave', 'ondragover', 'ondragstart', 'ondrop', 'ondurationchange',
  'onemptied', 'onend', 'onended', 'onerror', 'onerrorupdate', 'onfilterchange', 'onfinish', 'onfocus',
  'onfocusin', 'onfocusout', 'onformchange', 'onforminput', 'onfullscreenchange', 'onhashchange', 'onhelp',
  'oninput', 'oninvalid', 'onkeydown', 'onkeypress', 'onkeyup', 'onlayoutcomplete', 'onload', 'onloadeddata',
  'onloadedmetadata', 'onloadend', 'onloadstart', 'onlosecapture', 'onmessage', 'onmousedown',
  'onmouseenter', 'onmouseleave', 'onmousemove', 'onmouseout', 'onmouseover', 'onmouseup', 'onmousewheel',
  'onmove', 'onmoveend', 'onmovestart', 'onoffline', 'ononline', 'onpagehide', 'onpageshow', 'onpaste',
  'onpause', 'onplay', 'onplaying', 'onpointercancel', 'onpointerdown', 'onpointerenter', 'onpointerleave',
  'onpointermove', 'onpointerout', 'onpointerover', 'onpointerrawupdate', 'onpointerup', 'onpopstate',
  'onprogress', 'onpropertychange', 'onratechange', 'onreadystatechange', 'onrepeat', 'onreset', 'onresize',
  'onresizeend', 'onresizestart', 'onresume', 'onreverse', 'onrowenter', 'onrowexit', 'onrowsdelete',
  'onrowsinserted', 'onscroll', 'onscrollend', 'onsearch', 'onseek', 'onseeked', 'onseeking', 'onselect',
  'onselectionchange', 'onselectstart', 'onshow', 'onstalled', 'onstart', 'onstop', 'onstorage', 'onsubmit',
  'onsuspend', 'onsyncrestored', 'ontimeerror', 'ontimeupdate', 'ontoggle', 'ontouchcancel', 'ontouchend',
  'ontouchmove', 'ontouchstart', 'ontrackchange', 'ontransitioncancel', 'ontransitionend', 'ontransitionrun',
  'ontransitionstart', 'onunhandledrejection', 'onunload', 'onurlflip', 'onvolumechange', 'onwaiting',
  'onwebkitanimationend', 'onwebkitanimationiteration', 'onwebkitanimationstart', 'onwebkittransitionend',
  'onwheel', 'onzoom', 'oncommand', 'oncontentvisibilityautostatechange', 'onscrollsnapchange',
]);

/** URL schemes that run script when navigated to or loaded. */
export const SCRIPT_SCHEMES: ReadonlySet<string> = new Set(['javascript', 'vbscript', 'livescript', 'mocha', 'jscript']);

/** JavaScript functions an injected script calls to prove or use execution. */
export const JS_SINKS: ReadonlySet<string> = new Set([
  'alert', 'prompt', 'confirm', 'eval', 'settimeout', 'setinterval', 'fromcharcode', 'execscript',
  'atob', 'function', 'constructor', 'import', 'fetch', 'write', 'writeln', 'print', 'open', 'xmlhttprequest',
  'getscript', 'importscripts', 'createelement', 'appendchild', 'insertadjacenthtml', 'postmessage',
]);

/** The strongest sinks: calling one of these is rarely anything but a probe or a payload. */
export const JS_PROOF_SINKS: ReadonlySet<string> = new Set(['alert', 'prompt', 'confirm', 'eval', 'execscript']);

/** Properties whose read or write is the point of an XSS payload. */
export const JS_TARGETS: ReadonlySet<string> = new Set([
  'cookie', 'domain', 'innerhtml', 'outerhtml', 'location', 'localstorage', 'sessionstorage', 'documenturi',
  'referrer', 'fromcharcode', 'constructor', 'srcdoc', '__proto__',
]);
