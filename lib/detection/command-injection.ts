/**
 * OS command injection: a shell separator or substitution followed by something that a
 * shell would run.
 *
 * The value is read as a shell would read it. Evasions are undone first in a second view
 * (quotes inside words `c''at`, backslashes `c\at`, `$IFS`/`${IFS}`, empty expansions
 * `$@`, brace lists `{cat,/etc/passwd}`, literal `\n`). Every place a new command can
 * start is then examined: the start of the value, after `;` `|` `||` `&` `&&` and line
 * breaks, and inside `$(...)`, backticks and `<(...)`. The word there must be a command
 * (POSIX, GNU, BusyBox or `cmd.exe`); a command that is also an English word (`cat`,
 * `sleep`, `find`) must be followed by shell-like arguments (flags, paths, addresses,
 * redirections), so prose such as "Tom & Jerry" or "sleep 8 hours" passes.
 *
 * Also: code-execution calls of PHP/Python/Perl/Java (`system('id')`, `<?php`),
 * server-side includes (`<!--#exec`), Shellshock (`() { :;};`) and reverse-shell devices.
 */
import type { NormalizedValue } from './normalize';
import { codesToString } from './normalize';
import type { FindingList, Rule } from './findings';
import {
  M_LT, M_PAREN, M_BACKTICK, M_BRACE, M_AMP, M_BSLASH, M_SLASH, M_DOLLAR, M_SEMI, M_PIPE, M_GT, M_NEWLINE, M_QUOTE,
} from './char-classes';
import {
  UNAMBIGUOUS_COMMANDS, WORDY_COMMANDS, RECON_COMMANDS, SUBCOMMANDS, COMMAND_PREFIXES, CODE_EXEC_FUNCTIONS,
} from './shell-vocabulary';

/** Rule ids and scores (see docs/detection.md). */
export const CMD_RULES = {
  shellshock: { id: 'cmdi.shellshock', score: 10 },
  ssi: { id: 'cmdi.ssi', score: 9 },
  substitution: { id: 'cmdi.substitution', score: 9 },
  substitutionWeak: { id: 'cmdi.substitution', score: 6 },
  substitutionProse: { id: 'cmdi.substitution', score: 7 },
  chained: { id: 'cmdi.chained_command', score: 9 },
  chainedArgs: { id: 'cmdi.chained_command', score: 8 },
  chainedLoose: { id: 'cmdi.chained_command', score: 7 },
  chainedWeak: { id: 'cmdi.chained_command', score: 5 },
  chainedProse: { id: 'cmdi.chained_command', score: 6 },
  commandLine: { id: 'cmdi.command_line', score: 7 },
  commandLinePath: { id: 'cmdi.command_line', score: 8 },
  codeExec: { id: 'cmdi.code_exec', score: 9 },
  codeExecInfo: { id: 'cmdi.code_exec', score: 8 },
  codeExecWeak: { id: 'cmdi.code_exec', score: 5 },
  reverseShell: { id: 'cmdi.reverse_shell', score: 9 },
} as const;

// How a command position was reached.
const BARE = 0;
const WEAK = 1; // ` & ` between words, a line break
const MEDIUM = 2; // `&cmd`
const STRONG = 3; // ; | || &&
const SUBST = 4; // $( ) ` ` <( )
const QUOTED = 5; // `cmd` after a word: Markdown inline code or a substitution
const NEWLINE_LONG = 6; // a line break in a long text

/** Up to this length, any line of a value may be an injected command. */
const SHORT_TEXT = 64;

/** Length from which a multi-line value is treated as text with code in it. */
const LONG_TEXT = 256;

// Argument classes.
const A_NONE = 0;
const A_WORD = 1; // a plain word: prose
const A_SHELL = 2; // a flag, a relative path, a variable, a subcommand
const A_NUM = 3; // a number (neutral)
const A_STRONG = 4; // an absolute path, an address, a URL, a redirection

/** What can start a command position: ; | & line breaks ` $ and the process substitutions <( >(. */
const RE_POSITION = /[;|&\n\r`$]|[<>]\(/g;

/** A remote or system file as the argument of include/require (applied to 24 characters). */
const RE_INCLUDE_TARGET = /^['"`](?:https?:|ftps?:|php:|data:|expect:|zip:|phar:|\/etc\/|\.\.[\/\\])/;

/** Regular expressions of this module (every one is checked by recheck in the test suite). */
export const CMD_REGEXES: readonly RegExp[] = [RE_INCLUDE_TARGET, RE_POSITION];

/** PHP file inclusion (Node's `require` shares the name). */
const INCLUDE_FUNCTIONS = new Set(['include', 'require', 'include_once', 'require_once']);

/** Server-side include directives (`<!--#exec cmd="..."-->`). */
const SSI_DIRECTIVES = ['exec', 'include', 'echo', 'config', 'fsize', 'flastmod', 'printenv', 'set ', 'if '];

/** Commands whose natural argument is a number (`sleep 5`, `ping -c 3`). */
const NUMERIC_COMMANDS = new Set(['sleep', 'usleep', 'timeout', 'ping', 'kill', 'exit', 'wait', 'ping6', 'head', 'tail']);
/**
 * Wordy commands that payloads use to prove execution (`| echo vulnerable`, `;sleep 5`):
 * they count after a pipe or a conditional, or right after `;` with no blank (prose puts one).
 */
const PROBE_COMMANDS = new Set(['echo', 'printf', 'sleep', 'ping', 'timeout']);

/** Commands whose natural argument is a host. */
const NETWORK_COMMANDS = new Set(['nslookup', 'ping', 'ping6', 'dig', 'host', 'curl', 'wget', 'nc', 'ncat', 'netcat', 'telnet', 'ssh', 'traceroute', 'tracert', 'ftp', 'tftp', 'whois', 'nmap', 'socat']);

function isHostName(a: string): boolean {
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 46 || c === 45)) return false;
  }
  return true;
}

/** Commands whose natural argument is a quoted program or text. */
const INTERPRETERS = new Set(['echo', 'printf', 'perl', 'python', 'python3', 'ruby', 'php', 'node', 'sh', 'bash', 'eval', 'exec']);
/** Commands whose natural argument is another command name (`which nc`). */
const META_COMMANDS = new Set(['which', 'whereis', 'type', 'command', 'man', 'sudo', 'exec', 'nohup', 'time', 'env', 'where']);

class Best {
  score = 0;
  rule = '';
  start = 0;
  end = 0;
  text = '';

  take(rule: Rule, text: string, start: number, end: number): void {
    if (rule.score > this.score) {
      this.score = rule.score;
      this.rule = rule.id;
      this.start = start;
      this.end = end;
      this.text = text;
    }
  }
}

function isSpaceTab(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0;
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

/** Characters of a command word or argument: letters, digits and path punctuation. */
function isCmdChar(c: number): boolean {
  return isWordChar(c) || c === 46 || c === 45 || c === 47 || c === 92 || c === 58 || c === 126 || c === 37 ||
    c === 43 || c === 64 || c === 44 || c === 61 || c === 42 || c === 63 || c === 36 || c === 91 || c === 93;
}

/** Ends an argument list: separators, substitutions, parentheses, a comment. */
function endsArgs(c: number): boolean {
  return c < 0 || c === 59 || c === 124 || c === 38 || c === 10 || c === 13 || c === 96 || c === 41 || c === 40 || c === 35;
}

let shellScratch = new Uint16Array(1024);

/**
 * Undoes shell-level obfuscation: quotes and backslashes inside words, `$IFS`, empty
 * expansions, brace lists and literal `\n`. Returns the input when it has none of the
 * characters involved.
 */
export function shellDeobfuscate(t: string): string {
  const n = t.length;
  let first = -1;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 39 || c === 34 || c === 92 || c === 36 || c === 123) {
      first = i;
      break;
    }
  }
  if (first < 0) return t;
  // Output never grows: each construct is replaced by something no longer than itself.
  if (shellScratch.length < n) shellScratch = new Uint16Array(Math.max(n, shellScratch.length * 2));
  const out = shellScratch;
  let len = 0;
  for (let i = 0; i < first; i++) out[len++] = t.charCodeAt(i);
  for (let i = first; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 39 || c === 34) continue; // quotes only group words for the shell
    if (c === 92) {
      const d = i + 1 < n ? t.charCodeAt(i + 1) : -1;
      if (d === 110 || d === 114) {
        out[len++] = 10;
        i++;
      } else if (d === 116) {
        out[len++] = 32;
        i++;
      }
      // any other escaped character stands for itself: drop the backslash
      continue;
    }
    if (c === 36) {
      // $IFS ${IFS} $IFS$9 ${IFS%??}: a blank. $@ $* $1: nothing.
      if (t.startsWith('{ifs', i + 1)) {
        let close = i + 5;
        while (close < n && close - i < 16 && t.charCodeAt(close) !== 125) close++;
        out[len++] = 32;
        i = close < n && t.charCodeAt(close) === 125 ? close : i + 4;
        continue;
      }
      if (t.startsWith('ifs', i + 1)) {
        out[len++] = 32;
        i += 3;
        continue;
      }
      const d = i + 1 < n ? t.charCodeAt(i + 1) : -1;
      if (d === 64 || d === 42 || (d >= 48 && d <= 57)) {
        i++;
        continue;
      }
    }
    if (c === 123) {
      // {cat,/etc/passwd} -> cat /etc/passwd (bounded look-ahead, no blanks inside)
      let k = i + 1;
      let comma = false;
      while (k < n && k - i < 120) {
        const d = t.charCodeAt(k);
        if (d === 125 || d === 32 || d === 123) break;
        if (d === 44) comma = true;
        k++;
      }
      if (comma && k < n && t.charCodeAt(k) === 125) {
        out[len++] = 32;
        for (let x = i + 1; x < k; x++) {
          const d = t.charCodeAt(x);
          out[len++] = d === 44 ? 32 : d;
        }
        out[len++] = 32;
        i = k;
        continue;
      }
    }
    out[len++] = c;
  }
  return codesToString(out, len);
}

/**
 * True when the value shows a shell evasion that {@link shellDeobfuscate} undoes: two
 * quotes inside one word (`c''at`, `w'h'o'am'i`; prose has one, as in "don't"), a
 * backslash before a letter, `$IFS`/`${...}`/`$@`/`$1`, a brace list, a literal `\n`.
 */
export function looksObfuscated(t: string): boolean {
  const n = t.length;
  for (const q of ["'", '"']) {
    // Jump from quote to quote: two in one word (`c''at`, `w'h'o`), prose has one ("don't").
    let prev = -2;
    for (let i = t.indexOf(q); i >= 0; i = t.indexOf(q, i + 1)) {
      if (prev >= 0 && i - prev <= 16) {
        let inWord = true;
        for (let k = prev + 1; k < i && inWord; k++) inWord = isWordChar(t.charCodeAt(k));
        const before = prev > 0 ? t.charCodeAt(prev - 1) : -1;
        const after = i + 1 < n ? t.charCodeAt(i + 1) : -1;
        if (inWord && ((before >= 0 && isWordChar(before)) || (after >= 0 && isWordChar(after)) || i === prev + 1)) return true;
      }
      prev = i;
    }
  }
  for (let i = t.indexOf('\\'); i >= 0; i = t.indexOf('\\', i + 1)) {
    if (i + 1 < n && isWordChar(t.charCodeAt(i + 1))) return true;
  }
  for (let i = t.indexOf('$'); i >= 0; i = t.indexOf('$', i + 1)) {
    const d = i + 1 < n ? t.charCodeAt(i + 1) : -1;
    if (d === 123 || d === 64 || d === 42 || (d >= 48 && d <= 57) || t.startsWith('ifs', i + 1)) return true;
  }
  for (let i = t.indexOf('{'); i >= 0; i = t.indexOf('{', i + 1)) {
    if (i + 1 < n && (isWordChar(t.charCodeAt(i + 1)) || t.charCodeAt(i + 1) === 47)) return true;
  }
  return false;
}

/** Basename of a command word (`/usr/bin/id` -> `id`, `c:\windows\system32\cmd.exe` -> `cmd.exe`). */
function commandName(word: string): { name: string; pathed: boolean } {
  let cut = -1;
  for (let i = word.length - 1; i >= 0; i--) {
    const c = word.charCodeAt(i);
    if (c === 47 || c === 92) {
      cut = i;
      break;
    }
  }
  let name = cut >= 0 ? word.slice(cut + 1) : word;
  if (name.endsWith('.exe') && name.length > 4) {
    const bare = name.slice(0, -4);
    if (UNAMBIGUOUS_COMMANDS.has(bare) || WORDY_COMMANDS.has(bare)) name = bare;
  }
  if (cut >= 0) {
    // A path runs a command from a program directory (`/usr/bin/id`, `c:\windows\system32\cmd.exe`,
    // `./x`); `/etc/passwd` names a file, not the passwd program.
    const dir = word.slice(0, cut + 1);
    if (!(dir.indexOf('bin') >= 0 || dir.indexOf('system32') >= 0 || dir.indexOf('syswow64') >= 0 || dir === './' || dir === '.\\' || dir === '/' || dir === '\\')) {
      return { name: '', pathed: false };
    }
  }
  return { name, pathed: cut >= 0 && cut < word.length - 1 };
}

function isNumber(a: string): boolean {
  if (a.length === 0) return false;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46)) return false;
  }
  return true;
}

/** Classifies one argument. */
function argClass(a: string, cmd: string): number {
  if (a.length === 0) return A_NONE;
  const c0 = a.charCodeAt(0);
  if (c0 === 45 && a.length > 1) return A_SHELL; // -l --all
  if (c0 === 62 || c0 === 60 || a === '2>&1' || a.startsWith('2>')) return A_STRONG; // redirection
  if (a.indexOf('://') > 0) return A_STRONG; // URL
  if (a.indexOf('=') > 0) return A_WORD; // an assignment (PATH=...), not a file
  // absolute paths: /etc, \windows, ~/x, c:\, %systemroot%\x
  if (c0 === 47 || c0 === 92 || c0 === 126 || (a.length > 2 && a.charCodeAt(1) === 58 && (a.charCodeAt(2) === 92 || a.charCodeAt(2) === 47))) return A_STRONG;
  if (a.indexOf('%') >= 0 && a.indexOf('%', a.indexOf('%') + 1) > 0) return A_STRONG; // %systemroot%
  if (a.indexOf('/') >= 0 || a.indexOf('\\') >= 0 || c0 === 36) return A_SHELL; // relative path, $var
  if (a.indexOf('*') >= 0 && a.indexOf('.') >= 0) return A_SHELL; // glob: *.txt
  if (isNumber(a)) {
    // An IP address is strong anywhere; a bare number only for numeric commands (`sleep 5`).
    let dots = 0;
    for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) === 46) dots++;
    if (dots === 3) return A_STRONG;
    return NUMERIC_COMMANDS.has(cmd) ? A_STRONG : A_NUM;
  }
  if ((c0 === 34 || c0 === 39) && INTERPRETERS.has(cmd)) return A_SHELL; // echo "...", perl -e '...'
  // A host name for a network command (`nslookup evil.example`, `ping 10.0.0.1`).
  if (NETWORK_COMMANDS.has(cmd) && a.indexOf('.') > 0 && a.indexOf('.') < a.length - 1 && isHostName(a)) return A_STRONG;
  // `which nc`, `net user`, `reg query`: what the command works on is unmistakable.
  if (META_COMMANDS.has(cmd) && (UNAMBIGUOUS_COMMANDS.has(a) || WORDY_COMMANDS.has(a))) return A_STRONG;
  const sub = SUBCOMMANDS.get(cmd);
  if (sub && sub.has(a)) return A_STRONG;
  return A_WORD;
}

interface CommandAt {
  name: string;
  pathed: boolean;
  /** Class of the first argument (A_NONE when there is none). */
  first: number;
  /** Plain words among the first few arguments. */
  words: number;
  /** Shell-like arguments among the first few (strong ones included). */
  shellArgs: number;
  /** Absolute paths, addresses, URLs and redirections among the first few. */
  strongArgs: number;
  /** Where the command line ends. */
  end: number;
  /** The command reached the end of the value (no trailing prose after its arguments). */
  toEnd: boolean;
}

const MAX_ARGS = 4;
const MAX_SPAN = 200;

function newCommandAt(): CommandAt {
  return { name: '', pathed: false, first: A_NONE, words: 0, shellArgs: 0, strongArgs: 0, end: 0, toEnd: false };
}

const K_PREFIX = 4;
/** Every command name and prefix, with bits 1 (unambiguous), 2 (wordy), 4 (prefix): one lookup. */
const COMMAND_KIND: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const n of UNAMBIGUOUS_COMMANDS) m.set(n, (m.get(n) ?? 0) | 1);
  for (const n of WORDY_COMMANDS) m.set(n, (m.get(n) ?? 0) | 2);
  for (const n of COMMAND_PREFIXES) m.set(n, (m.get(n) ?? 0) | K_PREFIX);
  return m;
})();

/** First two characters (or the only one, with 0) of every command name and prefix. */
const COMMAND_STARTS: Uint8Array = (() => {
  const t = new Uint8Array(128 * 128);
  for (const set of [UNAMBIGUOUS_COMMANDS, WORDY_COMMANDS, COMMAND_PREFIXES]) {
    for (const name of set) {
      const c0 = name.charCodeAt(0);
      const c1 = name.length > 1 ? name.charCodeAt(1) : 0;
      if (c0 < 128 && c1 < 128) t[c0 * 128 + c1] = 1;
    }
  }
  return t;
})();

/** Reads the command that starts at `i` (after blanks). */
function readCommand(v: string, i: number, out: CommandAt): boolean {
  const n = v.length;
  let p = i;
  let prefixes = 0;
  for (;;) {
    while (p < n && isSpaceTab(v.charCodeAt(p))) p++;
    const ws = p;
    // A command word starts with a letter or a digit (`7z`), or is a path (`/bin/x`, `./x`, `c:\x`).
    const first = p < n ? v.charCodeAt(p) : -1;
    if (!(isWordChar(first) || first === 47 || first === 92 || (first === 46 && (v.charCodeAt(p + 1) === 47 || v.charCodeAt(p + 1) === 92)))) return false;
    let slash = false;
    while (p < n && p - ws < 80) {
      const c = v.charCodeAt(p);
      if (!isCmdChar(c)) break;
      if (c === 61) return false; // an assignment, or a URL query `&page=2`
      if (c === 47 || c === 92) slash = true;
      p++;
    }
    if (p === ws) return false;
    // No command name is longer than 16 characters, and most words do not even start like
    // one: reject those without slicing the word.
    if (!slash) {
      if (p - ws > 16) return false;
      const c0 = v.charCodeAt(ws);
      const c1 = p - ws > 1 ? v.charCodeAt(ws + 1) : 0;
      if (c0 >= 128 || c1 >= 128 || COMMAND_STARTS[c0 * 128 + c1] === 0) return false;
    }
    const { name, pathed } = commandName(v.slice(ws, p));
    const kind = COMMAND_KIND.get(name);
    if (kind === undefined) return false;
    if (kind & K_PREFIX && prefixes < 2 && p < n && isSpaceTab(v.charCodeAt(p))) {
      // `sudo id`, `nohup nc ...`: judge the command after the prefix when there is one
      // (`timeout 5` is the command `timeout` with its argument).
      const save = p;
      while (p < n && isSpaceTab(v.charCodeAt(p))) p++;
      let e = p;
      while (e < n && e - p < 40 && isCmdChar(v.charCodeAt(e))) e++;
      const nextName = e > p ? commandName(v.slice(p, e)).name : '';
      if (UNAMBIGUOUS_COMMANDS.has(nextName) || WORDY_COMMANDS.has(nextName)) {
        prefixes++;
        continue;
      }
      p = save;
    }
    // A command word ends at a blank, a separator or a redirection; `bash's` is prose.
    const next = p < n ? v.charCodeAt(p) : -1;
    if (next >= 0 && !isSpaceTab(next) && !endsArgs(next) && next !== 60 && next !== 62) return false;
    // `ps(1)`, `grep(1)`: a manual reference or a function call, not a command line.
    if (next === 40) return false;
    out.name = name;
    out.pathed = pathed;
    break;
  }
  out.first = A_NONE;
  out.words = 0;
  out.shellArgs = 0;
  out.strongArgs = 0;
  const limit = Math.min(n, i + MAX_SPAN);
  for (let a = 0; a < MAX_ARGS; a++) {
    while (p < limit && isSpaceTab(v.charCodeAt(p))) p++;
    if (p >= limit || endsArgs(v.charCodeAt(p))) break;
    const s = p;
    const c = v.charCodeAt(p);
    if (c === 62 || c === 60) {
      // redirection operator as its own word
      while (p < limit && (v.charCodeAt(p) === 62 || v.charCodeAt(p) === 60 || v.charCodeAt(p) === 38)) p++;
    } else {
      while (p < limit && !isSpaceTab(v.charCodeAt(p)) && !endsArgs(v.charCodeAt(p))) p++;
    }
    const cls = argClass(v.slice(s, p), out.name);
    if (a === 0) out.first = cls;
    if (cls === A_WORD) out.words++;
    else if (cls === A_SHELL) out.shellArgs++;
    else if (cls === A_STRONG) {
      out.shellArgs++;
      out.strongArgs++;
    }
  }
  while (p < limit && isSpaceTab(v.charCodeAt(p))) p++;
  out.end = p;
  out.toEnd = p >= n || endsArgs(v.charCodeAt(p));
  return true;
}

/** Offset of the end of the line that contains `at`. */
function lineEnd(v: string, at: number): number {
  let i = at;
  while (i < v.length && v.charCodeAt(i) !== 10 && v.charCodeAt(i) !== 13) i++;
  return i;
}

/** True when nothing but blanks follows `from`. */
function restIsBlank(v: string, from: number): boolean {
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (!(isSpaceTab(c) || c === 10 || c === 13)) return false;
  }
  return true;
}

/** Scores the command at a command position reached by `how`. */
function judgeCommand(v: string, start: number, how: number, best: Best, cmd: CommandAt, glued = false): void {
  if (!readCommand(v, start, cmd)) return;
  // A line break separates an injected command (`%0aid`); in a longer text, a command line
  // followed by more text is an example in documentation, so there it must end the value.
  if (how === WEAK && v.length > SHORT_TEXT && v.charCodeAt(start - 1) !== 38 && !restIsBlank(v, lineEnd(v, cmd.end))) return;
  const name = cmd.name;
  const unambiguous = UNAMBIGUOUS_COMMANDS.has(name) || (cmd.pathed && WORDY_COMMANDS.has(name));
  const wordy = !unambiguous && WORDY_COMMANDS.has(name);
  if (!unambiguous && !wordy) return;
  const noArgs = cmd.first === A_NONE;
  const shellFirst = cmd.first === A_SHELL || cmd.first === A_STRONG;
  const end = Math.max(cmd.end, start + 20);
  let rule: Rule | undefined;
  if (unambiguous) {
    switch (how) {
      case SUBST:
        rule = CMD_RULES.substitution;
        break;
      case QUOTED:
        // Markdown inline code looks the same (`ls`); arguments that reach the system do not.
        rule = cmd.strongArgs > 0 && cmd.words === 0 ? CMD_RULES.substitutionProse : CMD_RULES.substitutionWeak;
        break;
      case STRONG:
        rule = noArgs || shellFirst || cmd.shellArgs > 0 ? CMD_RULES.chained : CMD_RULES.chainedProse;
        break;
      case MEDIUM:
      case WEAK:
        rule = (noArgs && cmd.toEnd) || shellFirst ? CMD_RULES.chainedArgs : CMD_RULES.chainedWeak;
        break;
      case NEWLINE_LONG:
        rule = CMD_RULES.chainedWeak;
        break;
      default: // BARE: the whole value is a command line, with no prose in its arguments
        if (cmd.toEnd && ((shellFirst && (cmd.words === 0 || (cmd.strongArgs > 0 && cmd.words <= 1))) || (noArgs && RECON_COMMANDS.has(name)))) {
          rule = cmd.pathed ? CMD_RULES.commandLinePath : CMD_RULES.commandLine;
        }
    }
  } else {
    switch (how) {
      case SUBST:
        rule = shellFirst ? CMD_RULES.substitution : CMD_RULES.substitutionWeak;
        break;
      case QUOTED:
        rule = CMD_RULES.substitutionWeak;
        break;
      case STRONG:
        if (shellFirst) rule = CMD_RULES.chainedArgs;
        else if (PROBE_COMMANDS.has(name) && glued) rule = CMD_RULES.chainedLoose;
        else if (noArgs) rule = CMD_RULES.chainedWeak;
        break;
      case MEDIUM:
      case WEAK:
        if (shellFirst && (cmd.words <= 1 || cmd.shellArgs >= 2)) rule = CMD_RULES.chainedLoose;
        break;
      default:
        if (shellFirst && cmd.strongArgs > 0 && cmd.words === 0 && cmd.toEnd) rule = CMD_RULES.commandLine;
    }
  }
  if (rule) best.take(rule, v, start, end);
}

/** Offset after leading blanks and quotes (a value that starts by closing a quoted argument). */
function skipLeadingQuotes(v: string): number {
  let i = 0;
  while (i < v.length && i < 8) {
    const c = v.charCodeAt(i);
    if (c === 39 || c === 34 || isSpaceTab(c)) i++;
    else break;
  }
  return i;
}


/** Characters that start a command position by themselves. */
const POSITION_CHARS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (const ch of ';|&\n\r`$') t[ch.charCodeAt(0)] = 1;
  return t;
})();

/** True at a character of RE_POSITION (one of `;|&` line breaks `` ` `` `$`, or `<(`/`>(`). */
function isPositionAt(v: string, i: number): boolean {
  const c = v.charCodeAt(i);
  if (c >= 128) return false;
  if (POSITION_CHARS[c] === 1) return true;
  return (c === 60 || c === 62) && v.charCodeAt(i + 1) === 40;
}

/**
 * True for a `|` inside a parenthesised, blank-free group (`index.(bt|db|dir|pag)`,
 * `(gif|png)`): an alternation in a pattern, not a pipe.
 */
function inAlternation(v: string, at: number): boolean {
  let open = false;
  for (let k = at - 1; k >= 0 && at - k <= 40; k--) {
    const c = v.charCodeAt(k);
    if (c === 40) {
      open = true;
      break;
    }
    if (isSpaceTab(c) || c === 10 || c === 41) return false;
  }
  if (!open) return false;
  for (let k = at + 1; k < v.length && k - at <= 40; k++) {
    const c = v.charCodeAt(k);
    if (c === 41) return true;
    if (isSpaceTab(c) || c === 10 || c === 40) return false;
  }
  return false;
}

/** Walks every command position of a view. */
function scanPositions(v: string, best: Best): void {
  const n = v.length;
  const cmd = newCommandAt();
  judgeCommand(v, skipLeadingQuotes(v), BARE, best, cmd);
  const re = RE_POSITION;
  re.lastIndex = 0;
  for (let i = 0; i < n; i++) {
    // The next character that can start a command position: a few characters ahead by hand
    // (dense values such as `;id;id`), further by a native scan (prose).
    const near = Math.min(n, i + 16);
    while (i < near && !isPositionAt(v, i)) i++;
    if (i >= near) {
      if (i >= n) break;
      re.lastIndex = i;
      if (!re.test(v)) break; // test(), unlike exec(), allocates no match array
      i = re.lastIndex - 1;
      if (v.charCodeAt(i) === 40) i--; // `<(` and `>(` match two characters
    }
    const c = v.charCodeAt(i);
    let how = -1;
    let at = i + 1;
    switch (c) {
      case 59: // ;
        how = STRONG;
        break;
      case 124: // | ||
        how = STRONG;
        if (i + 1 < n && v.charCodeAt(i + 1) === 124) at = ++i + 1;
        break;
      case 38: // & &&
        if (i + 1 < n && v.charCodeAt(i + 1) === 38) {
          how = STRONG;
          at = ++i + 1;
        } else {
          const before = i > 0 ? v.charCodeAt(i - 1) : -1;
          const after = i + 1 < n ? v.charCodeAt(i + 1) : -1;
          how = isSpaceTab(after) && (before < 0 || isSpaceTab(before) || isWordChar(before)) ? WEAK : MEDIUM;
        }
        break;
      case 10:
      case 13:
        // A line break is a separator (`%0aid`), but a command on its own line in a long
        // multi-line text is a code snippet.
        how = n <= LONG_TEXT ? WEAK : NEWLINE_LONG;
        break;
      case 96: {
        // `cmd`: a substitution when the backtick is closed nearby. A run of two or more
        // (a Markdown code fence) is not.
        if (i + 1 < n && v.charCodeAt(i + 1) === 96) {
          while (i + 1 < n && v.charCodeAt(i + 1) === 96) i++;
          break;
        }
        const close = v.indexOf('`', i + 1);
        if (close > i && close - i < MAX_SPAN) {
          // After a separator, a quote, `=`, `(` or at the start it is a substitution; after a
          // word it is as likely Markdown inline code or a MySQL identifier (`id`).
          let b = i - 1;
          while (b >= 0 && isSpaceTab(v.charCodeAt(b))) b--;
          const prev = b >= 0 ? v.charCodeAt(b) : -1;
          how = prev < 0 || !(isWordChar(prev) || prev === 44 || prev === 46 || prev === 58 || prev === 42) ? SUBST : QUOTED;
        } else how = WEAK;
        break;
      }
      case 36: // $(
      case 60: // <(
      case 62: // >(
        if (i + 1 < n && v.charCodeAt(i + 1) === 40 && !(i + 2 < n && v.charCodeAt(i + 2) === 40)) {
          how = SUBST;
          at = i + 2;
          i++;
        }
        break;
      default:
        break;
    }
    if (how === STRONG && c === 124 && inAlternation(v, i)) how = -1;
    if (how >= 0) {
      // A pipe or a conditional (`|`, `||`, `&&`), or `;` with the command right after it.
      const glued = c === 124 || (c === 38 && at === i + 1 && i > 0 && v.charCodeAt(i - 1) === 38) ||
        (c === 59 && at < n && !isSpaceTab(v.charCodeAt(at)));
      judgeCommand(v, at, how, best, cmd, glued);
    }
  }
}

/** Code execution through an interpreter's function (`system('id')`, `<?php`, `os.popen(`). */
function scanCodeExec(v: string, best: Best, mask: number): void {
  if (mask & M_LT && (v.indexOf('<?php') >= 0 || v.indexOf('<?=') >= 0)) {
    const at = Math.max(v.indexOf('<?php'), v.indexOf('<?='));
    best.take(CMD_RULES.codeExec, v, at, at + 40);
  }
  // PHP: `${@print(...)}`, `{${sleep(20)}}` (a call inside complex interpolation) and
  // request superglobals handed to the interpreter.
  // (`${name(...)}` alone is also a JavaScript template literal: only `${@` and `{${` are PHP's.)
  let brace = mask & M_DOLLAR ? v.indexOf('${') : -1;
  while (brace >= 0) {
    let k = brace + 2;
    const php = (k < v.length && v.charCodeAt(k) === 64) || (brace > 0 && v.charCodeAt(brace - 1) === 123);
    if (k < v.length && v.charCodeAt(k) === 64) k++;
    const s0 = k;
    while (k < v.length && k - s0 < 32 && isWordChar(v.charCodeAt(k))) k++;
    if (php && k > s0 && v.charCodeAt(k) === 40) {
      best.take(CMD_RULES.codeExec, v, brace, brace + 40);
      break;
    }
    brace = v.indexOf('${', brace + 2);
  }
  if (mask & M_DOLLAR && v.indexOf('$_') >= 0) {
    for (const g of ['$_get[', '$_post[', '$_request[', '$_server[', '$_cookie[', '$_files[', '$_env[']) {
      const at = v.indexOf(g);
      if (at >= 0) best.take(CMD_RULES.codeExecInfo, v, at, at + 30);
    }
  }
  if (!(mask & M_PAREN)) return;
  for (const marker of ['__import__(', 'os.system(', 'os.popen(', 'subprocess.', 'getruntime().exec(', 'processbuilder(']) {
    const at = v.indexOf(marker);
    if (at >= 0) best.take(CMD_RULES.codeExec, v, at, at + 40);
  }
  const n = v.length;
  let i = v.indexOf('(');
  while (i >= 0) {
    let e = i - 1;
    while (e >= 0 && i - e < 8 && isSpaceTab(v.charCodeAt(e))) e--;
    let s = e;
    while (s >= 0 && e - s < 24 && (isWordChar(v.charCodeAt(s)) || v.charCodeAt(s) === 46)) s--;
    const name = v.slice(s + 1, e + 1);
    const before = s >= 0 ? v.charCodeAt(s) : -1;
    if (INCLUDE_FUNCTIONS.has(name) && !(before >= 0 && isWordChar(before))) {
      // include/require: remote or system files, or request data (RFI/LFI).
      let a = i + 1;
      while (a < n && isSpaceTab(v.charCodeAt(a))) a++;
      const arg = v.slice(a, a + 24);
      if (arg.startsWith('$_') || RE_INCLUDE_TARGET.test(arg)) {
        best.take(CMD_RULES.codeExec, v, s + 1, i + 40);
      }
    } else if (CODE_EXEC_FUNCTIONS.has(name) && !(before >= 0 && isWordChar(before))) {
      let a = i + 1;
      while (a < n && isSpaceTab(v.charCodeAt(a))) a++;
      const q = a < n ? v.charCodeAt(a) : -1;
      if (name === 'phpinfo' || name === 'phpversion') {
        if (q === 41) best.take(CMD_RULES.codeExecInfo, v, s + 1, i + 2);
      } else if (q === 39 || q === 34 || q === 96) {
        // A string argument that is a command line: `system('cat /etc/passwd')`.
        const inner = new Best();
        let close = a + 1;
        while (close < n && close - a < MAX_SPAN && v.charCodeAt(close) !== q) close++;
        const body = v.slice(a + 1, close);
        const cmd = newCommandAt();
        judgeCommand(body, 0, STRONG, inner, cmd);
        if (inner.score >= CMD_RULES.chainedArgs.score || ['system', 'exec', 'passthru', 'shell_exec', 'popen', 'proc_open'].includes(name) && inner.score > 0) {
          best.take(CMD_RULES.codeExec, v, s + 1, i + 40);
        } else best.take(CMD_RULES.codeExecWeak, v, s + 1, i + 40);
      } else if (v.startsWith('$_', a)) {
        // request data straight into an interpreter: `system($_GET['c'])`
        best.take(CMD_RULES.codeExec, v, s + 1, i + 40);
      } else best.take(CMD_RULES.codeExecWeak, v, s + 1, i + 20);
    }
    i = v.indexOf('(', i + 1);
  }
}

const SEPARATOR_CHARS = M_SEMI | M_PIPE | M_AMP | M_NEWLINE | M_BACKTICK | M_DOLLAR | M_LT | M_GT;
const OBFUSCATION_CHARS = M_QUOTE | M_BSLASH | M_DOLLAR | M_BRACE;

/**
 * Scans one value; adds at most one `cmdi.*` finding (the strongest) to `out`. `mask` is
 * the character-class mask of the value (see char-classes.ts).
 */
export function scanCommand(nv: NormalizedValue, out: FindingList, mask = nv.mask): void {
  const t = nv.text;
  const best = new Best();
  // Shellshock: a function definition in an environment variable.
  // It is the whole value (an environment variable's content), so it starts the value.
  let lead = 0;
  while (lead < t.length && lead < 16 && (isSpaceTab(t.charCodeAt(lead)) || t.charCodeAt(lead) === 39 || t.charCodeAt(lead) === 34)) lead++;
  if (t.startsWith('()', lead)) {
    let k = lead + 2;
    while (k < t.length && k - lead < 8 && isSpaceTab(t.charCodeAt(k))) k++;
    if (t.charCodeAt(k) === 123) best.take(CMD_RULES.shellshock, t, lead, lead + 30);
  }
  const ssi = mask & M_LT ? t.indexOf('<!--#') : -1;
  if (ssi >= 0) {
    const d = t.slice(ssi + 5, ssi + 16);
    if (SSI_DIRECTIVES.some((x) => d.startsWith(x))) best.take(CMD_RULES.ssi, t, ssi, ssi + 40);
  }
  if (mask & M_SLASH) {
    for (const dev of ['/dev/tcp/', '/dev/udp/']) {
      const at = t.indexOf(dev);
      if (at >= 0) best.take(CMD_RULES.reverseShell, t, at, at + 30);
    }
  }
  if (mask & SEPARATOR_CHARS) scanPositions(t, best);
  else judgeCommand(t, skipLeadingQuotes(t), BARE, best, newCommandAt());
  if (mask & OBFUSCATION_CHARS && looksObfuscated(t)) {
    const clean = shellDeobfuscate(t);
    if (clean !== t) scanPositions(clean, best);
  }
  if (mask & (M_PAREN | M_LT | M_DOLLAR)) scanCodeExec(t, best, mask);
  if (best.score > 0) out.add('cmdi', best.rule, best.score, best.text, best.start, best.end);
}
