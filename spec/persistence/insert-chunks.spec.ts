/**
 * Multi-row INSERTs are cut into chunks: powers of two where prepared statements are kept by
 * their text (SQLite), the fewest chunks where they are not (PostgreSQL). Batches of every
 * size are written whole, once, on the real databases.
 */
import { assert } from '../helpers/counted-assert';
import { testDatabases } from '../helpers/databases';
import { eventSinkPerTest, openReader, rows } from '../helpers/watchpost-fixture';
import { newId } from '../../lib/core/ids';
import type { SecurityEventRecord, WriteOp } from '../../lib/core/ports';
import { insertChunks } from '../../lib/persistence/insert-chunks';

describe('insertChunks', () => {
  it('covers every row; with cached statements, every chunk is a power of two <= max, so few texts exist', () => {
    const sizes = new Set<number>();
    for (let n = 0; n <= 1000; n += 1) {
      const chunks = insertChunks(n, 256, true);
      assert.equal(chunks.reduce((a, b) => a + b, 0), n, `rows of a batch of ${n}`);
      for (const c of chunks) {
        assert.ok(c >= 1 && c <= 256 && (c & (c - 1)) === 0, `chunk ${c} of ${n} is a power of two <= 256`);
        sizes.add(c);
      }
      assert.ok(chunks.length <= Math.floor(n / 256) + 8, `${chunks.length} chunks for ${n} rows`);
    }
    assert.equal(sizes.size, 9, 'statement texts in all: 1, 2, 4, ..., 256');
    assert.deepEqual(insertChunks(328, 256, true), [256, 64, 8]);
  });

  it('without cached statements, the fewest chunks: max-sized ones and the rest', () => {
    assert.deepEqual(insertChunks(0, 400, false), []);
    assert.deepEqual(insertChunks(328, 400, false), [328]);
    assert.deepEqual(insertChunks(900, 400, false), [400, 400, 100]);
  });
});

function event(i: number): SecurityEventRecord {
  return { id: newId(), occurredAt: new Date(), type: 'AUTH_SUCCESS', severity: 'INFO', sourceIp: '192.0.2.1', userIdentifier: `u${i}`, requestMethod: 'POST', requestPath: '/login', userAgent: null, requestId: newId(), details: { i } };
}

for (const target of testDatabases()) {
  describe(`event rows in chunks on ${target.label}`, function () {
    this.timeout(30_000);
    const each = eventSinkPerTest(target.make);

    it('batches of 1 to 600 rows are each written whole, once, with their own values', async () => {
      let i = 0;
      for (const size of [1, 3, 255, 256, 257, 600, 7]) {
        const batch: WriteOp[] = [];
        for (let k = 0; k < size; k += 1) batch.push({ kind: 'event', record: event(i++) });
        await each.sink.write(batch);
      }
      const reader = await openReader(each.db);
      try {
        const all = await rows(reader, 'security_events');
        assert.equal(all.length, i);
        const seen = new Set(all.map((r) => String(r.user_identifier)));
        assert.equal(seen.size, i, 'every row once');
        for (let k = 0; k < i; k += 1) assert.ok(seen.has(`u${k}`), `row u${k}`);
      } finally {
        await reader.destroy();
      }
    });
  });
}
