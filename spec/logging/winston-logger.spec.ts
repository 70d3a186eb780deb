/**
 * The default logger writing to SECURITY_LOG_PATH: lines are gathered for at most
 * FILE_FLUSH_MS and written together; they reach the file without close(), and close()
 * writes whatever is still gathered.
 */
import { createHook } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert } from '../helpers/counted-assert';
import { createWinstonLogger, FILE_FLUSH_MS } from '../../lib/logging/winston-logger';
import type { SecurityEventRecord } from '../../lib/core/ports';

function record(i: number): SecurityEventRecord {
  return {
    id: `id-${i}`,
    occurredAt: new Date(0),
    type: 'AUTH_SUCCESS',
    severity: 'INFO',
    sourceIp: '203.0.113.7',
    userIdentifier: `user${i}`,
    requestMethod: 'POST',
    requestPath: '/login',
    userAgent: null,
    requestId: null,
    details: {},
  };
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : [];
}

describe('logging: the security log file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-log-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lines logged together reach the file within a few flush periods, without close()', async () => {
    const file = path.join(dir, 'security.log');
    const log = createWinstonLogger({ path: file, level: 'INFO' });
    for (let i = 0; i < 200; i += 1) log.logEvent(record(i));
    const deadline = Date.now() + 50 * FILE_FLUSH_MS;
    while (lines(file).length < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, FILE_FLUSH_MS));
    const got = lines(file);
    assert.equal(got.length, 200);
    assert.deepEqual(got.map((l) => (JSON.parse(l) as { id: string }).id), Array.from({ length: 200 }, (_, i) => `id-${i}`));
    await log.close();
  });

  it('close() writes the lines still gathered, and nothing is lost or repeated', async () => {
    const file = path.join(dir, 'security.log');
    const log = createWinstonLogger({ path: file, level: 'INFO' });
    for (let i = 0; i < 50; i += 1) log.logEvent(record(i));
    log.logger.warn({ event: 'store_down' }, 'a warning');
    await log.close();
    const got = lines(file);
    assert.equal(got.length, 51);
    assert.equal(new Set(got).size, 51);
    assert.equal((JSON.parse(got[50]) as { event: string }).event, 'store_down');
  });

  it('an event line carries the fields of winston\'s format, in its order, with the timestamp last; operational lines go through winston', async () => {
    const file = path.join(dir, 'security.log');
    const log = createWinstonLogger({ path: file, level: 'INFO' });
    log.logEvent({ ...record(1), userIdentifier: 'line\u2028break', details: { n: 1 } });
    log.logger.info({ event: 'started' }, 'an operational line');
    await log.close();
    const [event, op] = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(Object.keys(event), ['level', 'message', 'event', 'id', 'occurredAt', 'type', 'severity', 'ip', 'user', 'method', 'path', 'userAgent', 'requestId', 'details', 'timestamp']);
    assert.equal(event.user, 'line\u2028break');
    assert.ok(!fs.readFileSync(file, 'utf8').includes('\u2028'), 'U+2028 is escaped, never written raw');
    assert.deepEqual(Object.keys(op), ['level', 'message', 'event', 'timestamp']);
  });

  it('events and operational lines reach the file in the order they were logged', async () => {
    const file = path.join(dir, 'security.log');
    const log = createWinstonLogger({ path: file, level: 'INFO' });
    log.logEvent(record(1));
    log.logger.warn({ event: 'store_down' }, 'between two events');
    log.logEvent(record(2));
    log.logger.info({ event: 'store_up' }, 'last');
    await log.close();
    assert.deepEqual(lines(file).map((l) => { const o = JSON.parse(l) as { id?: string; event: string }; return o.id ?? o.event; }), ['id-1', 'store_down', 'id-2', 'store_up']);
  });

  it('events below SECURITY_LOG_LEVEL are not written', async () => {
    const file = path.join(dir, 'security.log');
    const log = createWinstonLogger({ path: file, level: 'WARNING' });
    log.logEvent(record(1));
    log.logEvent({ ...record(2), severity: 'CRITICAL' });
    await log.close();
    assert.deepEqual(lines(file).map((l) => (JSON.parse(l) as { id: string }).id), ['id-2']);
  });

  it('a destination that cannot be opened does not crash the process', async () => {
    // The path is a directory: opening it for append fails with EISDIR, asynchronously.
    const log = createWinstonLogger({ path: dir, level: 'INFO' });
    log.logEvent(record(1));
    await new Promise((r) => setTimeout(r, 50));
    await log.close();
    assert.ok(fs.statSync(dir).isDirectory());
  });

  it('no timer runs while no line waits (an idle process is not woken up by the log)', async () => {
    const live = new Set<number>();
    const hook = createHook({
      init: (id, type) => {
        // Only the logger's own timers (the test's waits are timers too).
        if (type === 'Timeout' && /lib[\\/]logging[\\/]winston-logger/.test(new Error().stack ?? '')) live.add(id);
      },
      destroy: (id) => live.delete(id),
    }).enable();
    try {
      const file = path.join(dir, 'security.log');
      const log = createWinstonLogger({ path: file, level: 'INFO' });
      assert.equal(live.size, 0, 'no timer before the first line');
      log.logEvent(record(1));
      assert.equal(live.size, 1, 'one timer while a line waits');
      const deadline = Date.now() + 50 * FILE_FLUSH_MS;
      while (lines(file).length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, FILE_FLUSH_MS));
      // Destroy hooks arrive a little after a timer fires: wait for them without timers.
      const settle = Date.now() + 500;
      while (live.size > 0 && Date.now() < settle) await new Promise((r) => setImmediate(r));
      assert.equal(lines(file).length, 1);
      assert.equal(live.size, 0, 'none once it is written');
      await log.close();
    } finally {
      hook.disable();
    }
  });
});
