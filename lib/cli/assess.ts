/**
 * `watchpost assess`: reads assessment submissions as JSON Lines (in time order) on stdin and
 * writes one verdict line per submission, learning the baselines from the stream as it goes
 * through the same analyzer the middleware uses (memory baseline store).
 *
 * Input line: {"user", "type", "completion_time" (s), "responses": {...}, "score"?,
 * "submitted_at" (ISO 8601), "item_times"?: {...}}. Output line:
 * {"anomalous": bool, "anomalies": [{"type", "severity", "details"}], "baseline": {...}}.
 * A malformed line gets {"error": "..."} on its line and the run goes on; blank lines are
 * skipped. Exit 0 (2 for bad command-line options).
 */
import { StringDecoder } from 'node:string_decoder';
import type { CliCommand, CliIO } from './io';
import { writeOut } from './io';
import type { AssessmentSubmission } from '../core/types';
import { AssessmentAnalyzer, REPEATABLE_THINNING_SEED } from '../core/assessment-analyzer';
import { parseSubmission } from '../core/assessment-submission';
import { parseNumber } from '../config/parsers';
import { engineTextScanner } from '../detection/assessment-text-scanner';
import type { ParanoiaLevel } from '../detection';
import {
  type AssessmentAnomalyConfig,
  ASSESSMENT_DEFAULTS,
  ASSESSMENT_ENV_VARS,
  parseAssessmentSetting,
  resolveAssessmentConfigFromEnv,
} from '../core/assessment-config';
import { MemoryBaselineStore } from '../stores/memory-baseline-store';

/** Longest accepted input line, in characters; longer lines get an error line. */
export const MAX_LINE_LENGTH = 1_000_000;

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

const FLAG_TO_KEY: ReadonlyMap<string, keyof AssessmentAnomalyConfig> = new Map(
  (Object.keys(ASSESSMENT_ENV_VARS) as (keyof AssessmentAnomalyConfig)[]).map((k) => [`--${kebab(k)}`, k]),
);

const STORE_FLAGS = new Set(['--max-samples-per-type', '--max-types']);

function help(): string {
  const lines = [
    'Usage: watchpost assess [options] < submissions.jsonl > verdicts.jsonl',
    '',
    'Reads one submission per line: {"user", "type", "completion_time" (seconds), "responses": {...},',
    '"score" (optional), "submitted_at" (ISO 8601), "item_times" (optional, seconds by item)}, in time order,',
    'and writes one verdict per line: {"anomalous": true|false, "anomalies": [{"type", "severity", "details"}], "baseline": {...}}.',
    'Baselines are learned from the stream as it goes, as the middleware learns them (a full baseline records one',
    'recordable submission in eight, picked with a fixed seed, so that a run is repeatable).',
    '',
    'Options (flag, environment variable, default); flags override the environment:',
  ];
  for (const [flag, key] of FLAG_TO_KEY) {
    lines.push(`  ${`${flag} <v>`.padEnd(34)} ${ASSESSMENT_ENV_VARS[key].padEnd(32)} ${JSON.stringify(ASSESSMENT_DEFAULTS[key])}`);
  }
  lines.push(`  ${'--max-samples-per-type <n>'.padEnd(34)} ${''.padEnd(32)} 20000`);
  lines.push(`  ${'--max-types <n>'.padEnd(34)} ${''.padEnd(32)} 1000`);
  lines.push('', 'See docs/assessment-anomalies.md for what each check does and why.');
  return lines.join('\n') + '\n';
}

interface ParsedArgs {
  readonly options: Record<string, unknown>;
  readonly maxSamplesPerType?: number;
  readonly maxTypes?: number;
  readonly help: boolean;
}

function parseArgs(args: readonly string[]): ParsedArgs {
  const options: Record<string, unknown> = {};
  let maxSamplesPerType: number | undefined;
  let maxTypes: number | undefined;
  let wantHelp = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      wantHelp = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const key = FLAG_TO_KEY.get(flag);
    if (!key && !STORE_FLAGS.has(flag)) throw new Error(`unknown option ${JSON.stringify(arg)}. Run \`watchpost assess --help\` for the list.`);
    let raw: string | undefined;
    if (eq > 0) raw = arg.slice(eq + 1);
    else {
      raw = args[i + 1];
      i += 1;
    }
    if (raw === undefined) throw new Error(`option ${flag} needs a value.`);
    if (key) options[key] = parseAssessmentSetting(key, raw, flag);
    else {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) throw new Error(`option ${flag} ${JSON.stringify(raw)} must be an integer >= 1.`);
      if (flag === '--max-samples-per-type') maxSamplesPerType = n;
      else maxTypes = n;
    }
  }
  return { options, maxSamplesPerType, maxTypes, help: wantHelp };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Turns one parsed JSON line into a submission (as the assessment guard reads a body), or explains why it cannot. */
export function toSubmission(v: unknown): AssessmentSubmission | { error: string } {
  if (!isPlainObject(v)) return { error: 'a submission must be a JSON object' };
  if (typeof v.submitted_at !== 'string') return { error: '"submitted_at" must be an ISO 8601 date-time string' };
  const at = new Date(v.submitted_at);
  if (!Number.isFinite(at.getTime())) return { error: `"submitted_at" ${JSON.stringify(v.submitted_at.slice(0, 64))} is not a valid ISO 8601 date-time` };
  const sub = parseSubmission(v, v.user, v.type, at);
  return typeof sub === 'string' ? { error: sub } : sub;
}

/** Processes a stream of lines; exported for the benchmark's equivalence check. */
export async function assessStream(io: Pick<CliIO, 'stdin' | 'stdout'>, analyzer: AssessmentAnalyzer): Promise<{ lines: number; errors: number }> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let skipping = false;
  let lineNo = 0;
  let errors = 0;

  const handle = async (line: string): Promise<void> => {
    lineNo += 1;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim().length === 0) return;
    let out: unknown;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      errors += 1;
      out = { error: `line ${lineNo}: invalid JSON (${err instanceof Error ? err.message.slice(0, 120) : 'parse error'})` };
    }
    if (out === undefined) {
      const sub = toSubmission(parsed);
      if ('error' in sub) {
        errors += 1;
        out = { error: `line ${lineNo}: ${sub.error}` };
      } else {
        try {
          out = await analyzer.analyze(sub);
        } catch (err) {
          errors += 1;
          out = { error: `line ${lineNo}: ${err instanceof Error ? err.message : String(err)}` };
        }
      }
    }
    await writeOut(io.stdout, `${JSON.stringify(out)}\n`);
  };

  const tooLong = async (): Promise<void> => {
    lineNo += 1;
    errors += 1;
    await writeOut(io.stdout, `${JSON.stringify({ error: `line ${lineNo}: longer than ${MAX_LINE_LENGTH} characters` })}\n`);
  };

  const consume = async (text: string): Promise<void> => {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (skipping) {
        skipping = false;
        await tooLong();
        continue;
      }
      const line = buffer + piece;
      buffer = '';
      if (line.length > MAX_LINE_LENGTH) await tooLong();
      else await handle(line);
    }
    if (skipping) return;
    buffer += text.slice(start);
    if (buffer.length > MAX_LINE_LENGTH) {
      // Bounded memory: drop the rest of this line; its error is written at its end.
      buffer = '';
      skipping = true;
    }
  };

  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    await consume(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  }
  await consume(decoder.end());
  if (skipping) await tooLong();
  else if (buffer.length > 0) await handle(buffer);
  buffer = '';
  await analyzer.flush();
  return { lines: lineNo, errors };
}

/** `watchpost assess`. */
export const run: CliCommand = async (args, io) => {
  let parsed: ParsedArgs;
  let config: AssessmentAnomalyConfig;
  try {
    parsed = parseArgs(args);
    if (parsed.help) {
      await writeOut(io.stdout, help());
      return 0;
    }
    config = resolveAssessmentConfigFromEnv(io.env, parsed.options, 'watchpost assess');
  } catch (err) {
    io.stderr.write(`watchpost assess: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const store = new MemoryBaselineStore({ maxSamplesPerType: parsed.maxSamplesPerType, maxTypes: parsed.maxTypes });
  // The same injection engine and paranoia level as the middleware (DETECTION_PARANOIA_LEVEL).
  let scanText;
  try {
    const level = io.env.DETECTION_PARANOIA_LEVEL;
    scanText = engineTextScanner(level === undefined || level.trim() === '' ? undefined : (parseNumber('DETECTION_PARANOIA_LEVEL', level, { integer: true, min: 1, max: 4 }) as ParanoiaLevel));
  } catch (err) {
    io.stderr.write(`watchpost assess: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const analyzer = new AssessmentAnalyzer({
    store,
    config,
    scanText,
    appendMode: 'await',
    // The same stream makes the same picks when a full baseline is thinned: a run is repeatable.
    thinningSeed: REPEATABLE_THINNING_SEED,
    onError: (err) => io.stderr.write(`watchpost assess: ${err instanceof Error ? err.message : String(err)}\n`),
  });
  await assessStream(io, analyzer);
  await analyzer.close();
  await store.shutdown();
  return 0;
};
