/**
 * `watchpost scan`: reads JSON Lines from stdin, one `{"value": "..."}` per line, and writes
 * one verdict line per input line, in order:
 * `{"attack": true|false, "kinds": [...], "score": n, "rules": [...]}`. A malformed line gets
 * `{"error": "..."}` on its line and the run goes on. Exit code 0.
 *
 * Streams: input is read chunk by chunk (never all at once), a line longer than
 * `--max-line-bytes` is skipped without being buffered, output is written in batches that
 * wait for the stream to drain. CRLF line ends and a last line without a newline are read
 * as lines.
 */
import type { CliCommand, CliIO } from './io';
import { writeOut } from './io';
import { createInjectionDetector } from '../detection';
import type { InjectionDetector } from '../detection';
import type { ScanVerdict, ValueLocation } from '../core/types';

const LOCATIONS: ReadonlySet<string> = new Set(['query', 'query_key', 'body', 'body_key', 'param', 'cookie', 'header', 'user_agent', 'referer', 'path', 'text', 'answer']);

/** Default cap on one input line, in bytes (16 MiB). */
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Output is flushed when this many characters are pending. */
const FLUSH_AT = 64 * 1024;

const HELP = `Usage: watchpost scan [--paranoia 1|2|3|4] [--findings] [--max-line-bytes N]

Reads JSON Lines on stdin, one object per line:
  {"value": "<string>"}                 required
  {"value": "...", "location": "query"} optional location: ${[...LOCATIONS].join(', ')}
Writes one JSON line per input line, in order:
  {"attack": true|false, "kinds": ["sqli"|"xss"|"cmdi"|"path"|"nosqli"|"ssjs"|"proto", ...], "score": <number>, "rules": [...]}
A malformed line gets {"error": "..."} and the run goes on. Exit code 0.

  --paranoia N        1 (default, fewest false positives) to 4 (most sensitive)
  --findings          add the findings (rule, kind, score, snippet) to each line
  --max-line-bytes N  longest input line accepted (default ${DEFAULT_MAX_LINE_BYTES})
`;

interface ScanArgs {
  readonly paranoia?: 1 | 2 | 3 | 4;
  readonly findings: boolean;
  readonly maxLineBytes: number;
}

/** Parses the arguments; returns an error message for a bad one. */
function parseArgs(args: readonly string[]): ScanArgs | string {
  let paranoia: 1 | 2 | 3 | 4 | undefined;
  let findings = false;
  let maxLineBytes = DEFAULT_MAX_LINE_BYTES;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--findings') findings = true;
    else if (a === '--paranoia' || a.startsWith('--paranoia=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v !== '1' && v !== '2' && v !== '3' && v !== '4') return `--paranoia ${JSON.stringify(v ?? '')} must be 1, 2, 3 or 4`;
      paranoia = Number(v) as 1 | 2 | 3 | 4;
    } else if (a === '--max-line-bytes' || a.startsWith('--max-line-bytes=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) return `--max-line-bytes ${JSON.stringify(v ?? '')} must be an integer >= 1`;
      maxLineBytes = n;
    } else return `unknown option ${JSON.stringify(a)}`;
  }
  return { paranoia, findings, maxLineBytes };
}

/** The output line for one input line (without the newline). */
export function verdictLine(detector: InjectionDetector, line: string, withFindings: boolean): string {
  if (line.trim().length === 0) return JSON.stringify({ error: 'empty line: expected {"value": "..."}' });
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch (err) {
    return JSON.stringify({ error: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` });
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return JSON.stringify({ error: 'expected a JSON object {"value": "..."}' });
  }
  const obj = input as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(obj, 'value')) return JSON.stringify({ error: 'missing "value"' });
  if (typeof obj.value !== 'string') return JSON.stringify({ error: `"value" must be a string, not ${obj.value === null ? 'null' : typeof obj.value}` });
  let location: ValueLocation = 'text';
  if (obj.location !== undefined) {
    if (typeof obj.location !== 'string' || !LOCATIONS.has(obj.location)) {
      return JSON.stringify({ error: `"location" must be one of ${[...LOCATIONS].join(', ')}` });
    }
    location = obj.location as ValueLocation;
  }
  const path = typeof obj.path === 'string' ? obj.path : '';
  const v: ScanVerdict = detector.scanValue(obj.value, location, path);
  const out: Record<string, unknown> = {
    attack: v.attack,
    kinds: v.kinds,
    score: v.score,
    rules: [...new Set(v.findings.map((f) => f.ruleId))],
  };
  if (v.incomplete) out.incomplete = v.incomplete;
  if (withFindings) out.findings = v.findings.map((f) => ({ kind: f.kind, rule: f.ruleId, score: f.score, snippet: f.snippet }));
  return JSON.stringify(out);
}

/** Splits a byte stream into lines with a cap on line length; calls `onLine` in order. */
async function forEachLine(io: CliIO, maxLineBytes: number, onLine: (line: string | undefined) => Promise<void>): Promise<void> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  const finish = async (): Promise<void> => {
    if (skipping) {
      await onLine(undefined);
    } else {
      let buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
      if (buf.length > 0 && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1); // CRLF
      await onLine(buf.toString('utf8'));
    }
    parts = [];
    size = 0;
    skipping = false;
  };
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    while (from < data.length) {
      const nl = data.indexOf(0x0a, from);
      const end = nl < 0 ? data.length : nl;
      if (!skipping) {
        const piece = data.subarray(from, end);
        if (size + piece.length > maxLineBytes) {
          skipping = true; // drop what was buffered; wait for the end of the line
          parts = [];
          size = 0;
        } else if (piece.length > 0) {
          parts.push(Buffer.from(piece)); // copy: the chunk may be reused by the stream
          size += piece.length;
        }
      }
      if (nl < 0) break;
      await finish();
      from = nl + 1;
    }
  }
  if (size > 0 || skipping) await finish(); // a last line without a newline
}

/** `watchpost scan` (see the module comment). */
export const run: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(HELP);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.stderr.write(`watchpost scan: ${parsed}.\n\n${HELP}`);
    return 2;
  }
  const detector = createInjectionDetector(parsed.paranoia ? { paranoia: parsed.paranoia } : {});
  let pending = '';
  await forEachLine(io, parsed.maxLineBytes, async (line) => {
    pending += (line === undefined
      ? JSON.stringify({ error: `line longer than ${parsed.maxLineBytes} bytes: not scanned` })
      : verdictLine(detector, line, parsed.findings)) + '\n';
    if (pending.length >= FLUSH_AT) {
      const out = pending;
      pending = '';
      await writeOut(io.stdout, out);
    }
  });
  if (pending.length > 0) await writeOut(io.stdout, pending);
  return 0;
};
