/**
 * Path traversal and file inclusion: climbing segments, system files, wrappers, and the
 * encodings of dots and slashes (checklist B.9), next to ordinary paths and ellipses.
 */
import { attacks, benign } from './helpers';

describe('detection: path traversal', () => {
  describe('climbing out and reaching system files', () => {
    attacks('path', [
      '../../../../etc/passwd',
      '..\\..\\..\\windows\\win.ini',
      '....//....//etc/hosts',
      '/var/www/../../etc/shadow',
      '../../../../../boot.ini',
      '/etc/passwd',
      'c:\\boot.ini',
      'file:///etc/passwd',
      'php://filter/convert.base64-encode/resource=index.php',
      '../../../proc/self/environ',
      'images/../../../../../../etc/group',
    ]);
  });
  describe('encoded dots and slashes (checklist B.9)', () => {
    attacks('path', [
      '..%2f..%2f..%2fetc%2fpasswd',
      '..%5c..%5c..%5cwindows%5csystem32',
      '%252e%252e%252f%252e%252e%252fetc%252fpasswd',
      '/./../.././../etc/passwd',
      '%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd',
      '..%u2215..%u2215etc%u2215passwd',
      '%uff0e%uff0e/%uff0e%uff0e/etc/passwd',
      '../../../etc/passwd%00.png',
      '..0x2f..0x2fetc0x2fpasswd',
    ]);
  });
  describe('benign look-alikes', () => {
    benign([
      'C:\\Program Files\\App\\config.ini',
      'D:\\Photos\\2023\\beach.jpg',
      '~/Documents/report.pdf',
      './build.sh',
      'src/components/App.tsx',
      'Wait... what?',
      'and so on...',
      'I edited the hosts file yesterday',
      'https://example.com/a/b/../c',
      'see page 3/4',
      'Save 20%; limited time',
      '100% cotton',
      'version 1.2..1.4',
    ]);
  });
});
