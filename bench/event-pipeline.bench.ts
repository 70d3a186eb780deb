/**
 * Event pipeline benchmark (issue: foundation). Prints:
 *  - the caller's cost of one logSecurityEvent() call (µs, median of runs);
 *  - events/s the batched writer sustains into SQLite and into PostgreSQL;
 *  - events/s of the whole pipeline (log line + row + threshold counting) into SQLite.
 * Targets: >= 20,000 events/s into PostgreSQL, >= 10,000 into SQLite, <= 5 µs per call.
 * PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL if it is postgres://, else the local
 * server at postgres://postgres@127.0.0.1:5432/test; skipped when unreachable.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { BatchWriter } from '../lib/core/batch-writer';
import { newId } from '../lib/core/ids';
import type { SecurityEventRecord } from '../lib/core/ports';
import { TypeOrmEventSink } from '../lib/persistence/typeorm-event-sink';
import { createWatchpost } from '../lib/watchpost';
import { median } from './median';

/** An event as the pipeline makes it: time-ordered ids (UUIDv7), as logSecurityEvent and the middleware's request ids are. */
function record(i: number): SecurityEventRecord {
  return {
    id: newId(),
    occurredAt: new Date(),
    type: i % 3 === 0 ? 'SQL_INJECTION_ATTEMPT' : 'AUTH_FAILURE',
    severity: 'WARNING',
    sourceIp: `203.0.${(i >> 8) & 255}.${i & 255}`,
    userIdentifier: `user${i % 5000}@example.com`,
    requestMethod: 'POST',
    requestPath: '/api/auth/login',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
    requestId: newId(),
    details: { location: 'body', path: 'username', snippet: "' OR 1=1--", score: 9 },
  };
}


async function writerThroughput(label: string, sink: TypeOrmEventSink, n: number, batchSize: number): Promise<number> {
  sink.start();
  if (!(await sink.whenUp(10_000))) throw new Error(`${label}: database not reachable`);
  const records = Array.from({ length: n }, (_, i) => record(i));
  const writer = new BatchWriter({ sink, capacity: n + 10, batchSize, flushIntervalMs: 5 });
  const t0 = process.hrtime.bigint();
  for (const r of records) writer.enqueue({ kind: 'event', record: r });
  await writer.flush();
  while (writer.size > 0) await writer.flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await writer.close();
  return n / seconds;
}

async function pgUrl(): Promise<string | undefined> {
  const candidates = [process.env.BENCH_DATABASE_URL, process.env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/test'].filter((u): u is string => !!u && /^postgres(ql)?:/.test(u));
  for (const url of candidates) {
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.end();
      return url;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watchpost-bench-'));
  const N = Number(process.env.BENCH_EVENTS ?? 100_000);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}; ${N} events per writer run`);

  // 1. Caller cost of logSecurityEvent (the drain runs between chunks, outside the timed loop).
  {
    const wp = await createWatchpost({ env: {}, databaseUrl: `sqlite:${path.join(dir, 'caller.sqlite')}`, securityLogPath: path.join(dir, 'caller.log'), enableRealTimeMonitoring: false });
    const req = { method: 'POST', originalUrl: '/api/auth/login', ip: '203.0.113.9', headers: { 'user-agent': 'bench' } };
    const perCall: number[] = [];
    for (let run = 0; run < 7; run += 1) {
      let ns = 0n;
      for (let chunk = 0; chunk < 20; chunk += 1) {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < 1000; i += 1) {
          wp.monitor.logSecurityEvent({ type: 'SQL_INJECTION_ATTEMPT', ip: '203.0.113.9', userIdentifier: 'alice', details: { location: 'query', path: 'q' }, request: req });
        }
        ns += process.hrtime.bigint() - t0;
        await new Promise((r) => setImmediate(r));
      }
      perCall.push(Number(ns) / 20_000 / 1000);
      await wp.flush();
    }
    await wp.close();
    console.log(`logSecurityEvent caller cost: ${median(perCall).toFixed(2)} µs per call (median of 7 runs of 20,000; min ${Math.min(...perCall).toFixed(2)}, max ${Math.max(...perCall).toFixed(2)}) [target <= 5 µs]`);
  }

  // 2. Writer throughput into SQLite (WAL file).
  {
    const runs: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      const file = path.join(dir, `writer-${run}.sqlite`);
      const sink = new TypeOrmEventSink({ kind: 'sqlite', path: file, url: `sqlite:${file}` });
      runs.push(await writerThroughput('sqlite', sink, N, 500));
      await sink.close();
    }
    console.log(`writer into SQLite: ${Math.round(median(runs)).toLocaleString('en')} events/s (median of 3; ${runs.map((r) => Math.round(r)).join(', ')}) [target >= 10,000]`);
  }

  // 3. Writer throughput into PostgreSQL.
  const pg = await pgUrl();
  if (!pg) console.log('writer into PostgreSQL: skipped (no reachable server)');
  else {
    const runs: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      const schema = `wp_bench_${process.pid}_${run}`;
      const sink = new TypeOrmEventSink({ kind: 'postgres', url: pg, schema });
      try {
        runs.push(await writerThroughput('postgres', sink, N, 500));
      } finally {
        await sink.close();
        const c = new Client({ connectionString: pg });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
    }
    console.log(`writer into PostgreSQL: ${Math.round(median(runs)).toLocaleString('en')} events/s (median of 3; ${runs.map((r) => Math.round(r)).join(', ')}) [target >= 20,000]`);
  }

  // 4. Whole pipeline: sanitise + JSON log line + row + threshold counting (memory store), into SQLite.
  {
    const wp = await createWatchpost({ env: {}, databaseUrl: `sqlite:${path.join(dir, 'pipeline.sqlite')}`, securityLogPath: path.join(dir, 'pipeline.log'), enableIpBlocking: false });
    const n = Math.min(N, 50_000);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i += 1) {
      wp.monitor.logSecurityEvent({ type: i % 3 === 0 ? 'XSS_ATTEMPT' : 'AUTH_FAILURE', ip: `198.51.${(i >> 8) & 255}.${i & 255}`, userIdentifier: `user${i % 5000}`, details: { location: 'query', path: 'q', snippet: '<script>' } });
      if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
    }
    await wp.flush();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await wp.close();
    console.log(`whole pipeline into SQLite (log line + row + one rule counted per IP and per user): ${Math.round(n / seconds).toLocaleString('en')} events/s`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
