/**
 * The default logger: winston writing one JSON object per line to SECURITY_LOG_PATH, or to
 * stdout when unset, at SECURITY_LOG_LEVEL (seed 002's level names). Security events and
 * watchpost's own operational messages share the stream; events carry `event:
 * "security_event"`. Fields are already sanitised by core (control characters escaped,
 * secrets removed) before they get here; JSON encoding keeps every entry on one line.
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { EOL } from 'node:os';
import path from 'node:path';
import winston from 'winston';
import type { Logger, SecurityEventRecord } from '../core/ports';

/** winston levels named as in seed 002 (SECURITY_LOG_LEVEL). */
const LEVELS = { critical: 0, error: 1, warning: 2, info: 3, debug: 4 } as const;

const SEVERITY_LEVEL: Readonly<Record<string, keyof typeof LEVELS>> = { INFO: 'info', WARNING: 'warning', ERROR: 'error', CRITICAL: 'critical' };

/** Options of the default logger. */
export interface WinstonLoggerOptions {
  /** File to append to; stdout when undefined. */
  readonly path?: string;
  /** DEBUG, INFO, WARNING, ERROR or CRITICAL. */
  readonly level: string;
  /** A stream to write to instead (tests). */
  readonly stream?: NodeJS.WritableStream;
}

/** The security logger: the Logger port plus one-line event records. */
export interface SecurityLogger {
  readonly logger: Logger;
  /** Writes one event as one JSON line. */
  logEvent(record: SecurityEventRecord): void;
  /** Flushes and closes the destination. */
  close(): Promise<void>;
}

/** The fields of an event's line, in their order (every logger writes the same ones). */
function eventFields(r: SecurityEventRecord): Record<string, unknown> {
  return {
    event: 'security_event',
    id: r.id,
    occurredAt: r.occurredAt.toISOString(),
    type: r.type,
    severity: r.severity,
    ip: r.sourceIp,
    user: r.userIdentifier,
    method: r.requestMethod,
    path: r.requestPath,
    userAgent: r.userAgent,
    requestId: r.requestId,
    details: r.details,
  };
}

// JSON.stringify leaves U+2028/U+2029 raw; some log shippers split lines on them.
function lineOf(info: object): string {
  const json = JSON.stringify(info);
  return /[\u2028\u2029]/.test(json) ? json.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`) : json;
}
const serialise = winston.format.printf((info) => lineOf(info));

/** Longest time a line waits in memory before it is written to SECURITY_LOG_PATH, in ms. */
export const FILE_FLUSH_MS = 20;
/** Characters of waiting lines that start a write at once. */
const FILE_FLUSH_CHARS = 65_536;

/** Creates the winston-backed security logger. */
export function createWinstonLogger(options: WinstonLoggerOptions): SecurityLogger {
  let transport: InstanceType<typeof winston.transports.Stream>;
  let fileStream: fs.WriteStream | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  /** Appends text to the file's gathered lines (file destination only). */
  let gather: ((text: string) => void) | undefined;
  let flushGathered = (): void => undefined;
  if (options.stream) {
    transport = new winston.transports.Stream({ stream: options.stream });
  } else if (options.path) {
    fs.mkdirSync(path.dirname(path.resolve(options.path)), { recursive: true });
    const file = fs.createWriteStream(options.path, { flags: 'a' });
    fileStream = file;
    // Lines are gathered as strings for at most FILE_FLUSH_MS (or until FILE_FLUSH_CHARS are
    // waiting) and written with one write, instead of one stream write per line; close()
    // writes what is gathered. The timer runs only while lines wait: an idle process does not
    // wake up for it. Events and winston's own lines share the one list, so their order holds.
    let lines: string[] = [];
    let chars = 0;
    const flush = (): void => {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = undefined;
      if (lines.length === 0) return;
      const text = lines.length === 1 ? lines[0] : lines.join('');
      lines = [];
      chars = 0;
      file.write(text);
    };
    flushGathered = flush;
    const add = (text: string): void => {
      lines.push(text);
      chars += text.length;
      if (chars >= FILE_FLUSH_CHARS) flush();
      else if (!flushTimer) {
        flushTimer = setTimeout(flush, FILE_FLUSH_MS);
        flushTimer.unref();
      }
    };
    gather = add;
    // winston's own lines reach the file through this, in order with the events.
    const viaGather = new Writable({
      decodeStrings: false,
      write(chunk: string | Buffer, _encoding, done) {
        add(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        done();
      },
    });
    viaGather.on('error', () => undefined);
    transport = new winston.transports.Stream({ stream: viaGather });
  } else {
    transport = new winston.transports.Stream({ stream: process.stdout });
  }
  const w = winston.createLogger({
    levels: LEVELS,
    level: options.level.toLowerCase(),
    format: winston.format.combine(winston.format.timestamp(), serialise),
    transports: [transport],
    exitOnError: false,
  });
  // A failing destination (disk full, closed pipe) must never crash the application.
  w.on('error', () => undefined);
  transport.on('error', () => undefined);
  fileStream?.on('error', () => undefined);

  // Security events are the bulk of the lines (one per login, say): they are formatted as
  // winston's format would (same fields, same order, `timestamp` last) and appended directly
  // (to the gathered lines when writing to a file), without winston's per-line stream machinery. Operational messages
  // go through winston. An object-mode destination (a test stream) gets events via winston too.
  const dest: NodeJS.WritableStream = options.stream ?? fileStream ?? process.stdout;
  const direct = (dest as { _writableState?: { objectMode?: boolean } })._writableState?.objectMode !== true;

  const write = (level: keyof typeof LEVELS, fields: Record<string, unknown>, message: string) => {
    // User-controlled values never become top-level keys: callers pass fixed field names.
    w.log({ level, message, ...fields });
  };
  const logger: Logger = {
    debug: (f, m) => write('debug', f, m),
    info: (f, m) => write('info', f, m),
    warn: (f, m) => write('warning', f, m),
    error: (f, m) => write('error', f, m),
  };
  let closed: Promise<void> | undefined;
  return {
    logger,
    logEvent(r: SecurityEventRecord): void {
      const level = SEVERITY_LEVEL[r.severity] ?? 'info';
      if (!direct) {
        w.log({ level, message: 'security_event', ...eventFields(r) });
        return;
      }
      if (!w.isLevelEnabled(level) || closed) return;
      // The line winston's format would make: level, message, the fields, `timestamp` last.
      // (`level` is one of LEVELS; the fields' JSON is spliced in rather than spread and copied.)
      const line = `{"level":"${level}","message":"security_event",${lineOf(eventFields(r)).slice(1, -1)},"timestamp":"${new Date().toISOString()}"}${EOL}`;
      if (gather) gather(line);
      else dest.write(line);
    },
    close(): Promise<void> {
      if (closed) return closed;
      closed = new Promise<void>((resolve) => {
        const done = () => resolve();
        const timer = setTimeout(done, 2000);
        timer.unref();
        w.on('finish', () => {
          if (fileStream) {
            flushGathered();
            fileStream.end(() => {
              clearTimeout(timer);
              done();
            });
          } else {
            clearTimeout(timer);
            done();
          }
        });
        w.end();
      });
      return closed;
    },
  };
}

/** Wraps a user-supplied logger so that events go through it too. */
export function wrapLogger(logger: Logger): SecurityLogger {
  const level: Readonly<Record<string, keyof Logger>> = { INFO: 'info', WARNING: 'warn', ERROR: 'error', CRITICAL: 'error' };
  return {
    logger,
    logEvent(r: SecurityEventRecord): void {
      const method = level[r.severity] ?? 'info';
      logger[method](eventFields(r), 'security_event');
    },
    close: async () => undefined,
  };
}
