/**
 * A row the database refuses must not stop every later write: the writer isolates it,
 * drops it (counted and logged) and writes the rest. On the real databases.
 */
import { assert } from '../helpers/counted-assert';
import { testDatabases } from '../helpers/databases';
import { eventually } from '../helpers/wait';
import { eventSinkPerTest, openReader, rows } from '../helpers/watchpost-fixture';
import { BatchWriter } from '../../lib/core/batch-writer';
import { newId } from '../../lib/core/ids';
import type { Logger, SecurityEventRecord } from '../../lib/core/ports';

function event(i: number): SecurityEventRecord {
  return { id: newId(), occurredAt: new Date(), type: 'AUTH_FAILURE', severity: 'WARNING', sourceIp: '192.0.2.1', userIdentifier: `u${i}`, requestMethod: 'POST', requestPath: '/login', userAgent: null, requestId: null, details: { i } };
}

for (const target of testDatabases()) {
  describe(`writer on ${target.label}: a rejected row is isolated and dropped, the rest is written`, function () {
    this.timeout(30_000);
    const each = eventSinkPerTest(target.make);

    it('one row breaking a NOT NULL constraint among 300: 299 written, 1 dropped and logged', async () => {
      const logged: Array<Record<string, unknown>> = [];
      const log: Logger = { debug() {}, info() {}, warn() {}, error: (f) => void logged.push(f) };
      const writer = new BatchWriter({ sink: each.sink, capacity: 10_000, batchSize: 100, flushIntervalMs: 5, retryBaseMs: 5, logger: log });
      const poison = { ...event(150), type: null as never };
      for (let i = 0; i < 300; i += 1) writer.enqueue({ kind: 'event', record: i === 150 ? poison : event(i) });
      await eventually(() => assert.equal(writer.size, 0), 10_000);
      await writer.close();
      assert.equal(writer.rejectedTotal, 1);
      assert.ok(logged.some((l) => l.code === 'ERR_WATCHPOST_DB_WRITE_REJECTED' && l.id === poison.id));
      const reader = await openReader(each.db);
      try {
        const all = await rows(reader, 'security_events');
        assert.equal(all.length, 299);
        assert.ok(!all.some((r) => r.id === poison.id));
      } finally {
        await reader.destroy();
      }
    });
  });
}
