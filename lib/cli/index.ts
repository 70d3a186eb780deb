#!/usr/bin/env node
/**
 * The `watchpost` command line. Each command lives in its own module and is loaded only
 * when it is called, so `watchpost scan` never loads TypeORM or Redis.
 */
import type { CliCommand, CliIO } from './io';

interface CommandEntry {
  readonly summary: string;
  readonly load: () => CliCommand;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  scan: {
    summary: 'read {"value": "..."} JSON Lines on stdin, write one verdict line per input',
    load: () => (require('./scan') as { run: CliCommand }).run,
  },
  migrate: {
    summary: 'run pending database migrations against DATABASE_URL (--show, --revert)',
    load: () => (require('./migrate') as { run: CliCommand }).run,
  },
  assess: {
    summary: 'read assessment submissions as JSON Lines on stdin, write one verdict line per submission',
    load: () => (require('./assess') as { run: CliCommand }).run,
  },
};

function usage(): string {
  const lines = ['Usage: watchpost <command> [options]', '', 'Commands:'];
  for (const [name, entry] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${entry.summary}`);
  lines.push('', 'Run `watchpost <command> --help` for the options of one command.');
  return lines.join('\n') + '\n';
}

/** Runs one command line; returns the exit code. Exported for tests. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr.write(`watchpost: unknown command ${JSON.stringify(name)}.\n\n${usage()}`);
    return 2;
  }
  return entry.load()(rest, io);
}

if (require.main === module) {
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env })
    .then((code) => {
      process.exitCode = code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`watchpost: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    });
}
