/**
 * The event aggregator: one event per key per window with a count, and only the request
 * fields an event records are held for the window.
 */
import { assert } from '../helpers/counted-assert';
import { EventAggregator } from '../../lib/http/event-aggregator';
import type { SecurityEventInput } from '../../lib/core/monitor';

describe('http: event aggregator', () => {
  it('holds a small copy of the request, not the request, and emits one event with the count', () => {
    const emitted: SecurityEventInput[] = [];
    const agg = new EventAggregator((e) => emitted.push(e), 60_000);
    const body = { big: 'x'.repeat(100_000) };
    const req = { method: 'POST', originalUrl: '/upload?id=7', ip: '203.0.113.9', headers: { 'user-agent': 'curl/8', 'x-request-id': 'r-1', cookie: 'sid=abc' }, body, socket: {}, watchpost: { requestId: 'r-1' } };
    for (let i = 0; i < 5; i += 1) agg.add('blocked:203.0.113.9', () => ({ type: 'BLOCKED_REQUEST', ip: '203.0.113.9', request: req, details: { reason: 'ip_block' } }), 1000 + i);
    agg.flushDue(1000 + 59_999);
    assert.equal(emitted.length, 0, 'nothing before the window ends');
    agg.flushDue(1000 + 60_000);
    assert.equal(emitted.length, 1);
    const e = emitted[0];
    assert.equal(e.details?.count, 5);
    const held = e.request as Record<string, unknown>;
    assert.notEqual(held, req, 'the request object itself is not kept');
    assert.deepEqual(Object.keys(held).sort(), ['headers', 'ip', 'method', 'originalUrl', 'watchpost']);
    assert.deepEqual(held.headers, { 'user-agent': 'curl/8', 'x-request-id': 'r-1' }, 'no cookie, no other header');
    assert.equal(held.originalUrl, '/upload?id=7');
    assert.ok(!JSON.stringify(e).includes('xxxxxxxx'), 'no body');
  });
});
