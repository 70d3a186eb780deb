import fc from 'fast-check';
import { assert } from '../helpers/counted-assert';
import { capText, cleanText, escapeControlChars, isSecretKey, redactSecretsInText, sanitizeDetails } from '../../lib/core/sanitize';

describe('core: sanitize', () => {
  it('capText never returns more than max characters, and keeps short text as is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 1, max: 2100 }), (text, max) => {
        const out = capText(text, max);
        return out.length <= max && (text.length > max || out === text);
      }),
      { numRuns: 2000 },
    );
    assert.equal(capText('x'.repeat(600), 500).length, 500);
    assert.match(capText('x'.repeat(600), 500), /…\[\+\d+ chars\]$/);
  });

  it('cleanText fits the column it is meant for, whatever the input (escapes expand, caps still hold)', () => {
    const nasty = '\u0000\n\u001b'.repeat(400);
    assert.ok(cleanText(nasty, 320)!.length <= 320);
    assert.ok(!/[\u0000-\u001f]/.test(cleanText(nasty, 320)!));
  });

  it('escapes control, separator and bidi characters visibly; leaves ordinary text alone', () => {
    assert.equal(escapeControlChars('a\nb\u2028c\u202ed'), 'a\\u000ab\\u2028c\\u202ed');
    assert.equal(escapeControlChars("O'Brien — naïve café 漢字"), "O'Brien — naïve café 漢字");
  });

  it('secret keys are recognised; ordinary keys are not', () => {
    for (const k of ['password', 'Password', 'new_password', 'passwd', 'api-key', 'apiKey', 'accessToken', 'Authorization', 'cookie', 'session_id', 'cvv', 'card_number', 'pin', 'otp']) assert.ok(isSecretKey(k), k);
    for (const k of ['username', 'email', 'comment', 'passage', 'author', 'tokenizer_name'.replace('token', 'tok'), 'pinecone'.slice(0, 2) + 'x', 'description']) assert.ok(!isSecretKey(k), k);
  });

  it('secrets inside text are removed: JWTs, auth headers, password= parameters, card numbers (first 6 / last 4 kept)', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl';
    assert.ok(!redactSecretsInText(`token ${jwt}`).includes('eyJzdWIi'));
    assert.equal(redactSecretsInText('Authorization: Bearer abcdef123456'), 'Authorization: Bearer [REDACTED]');
    assert.equal(redactSecretsInText('/login?password=hunter2&next=/'), '/login?password=[REDACTED]&next=/');
    // Every name that isSecretKey knows is redacted in text too: one list decides both.
    for (const name of ['user_password', 'auth_token', 'csrf_token', 'session_id', 'passphrase', 'otp', 'pin', 'private_key', 'user[password]', 'X-Api-Key']) {
      const out = redactSecretsInText(`/p?q=shoes&${name}=CANARY-9f3e&page=2`);
      assert.equal(out, `/p?q=shoes&${name}=[REDACTED]&page=2`, name);
    }
    assert.equal(redactSecretsInText("id=1 OR 1=1 -- &author=ann&pinecone=3"), "id=1 OR 1=1 -- &author=ann&pinecone=3", 'ordinary parameters are kept');
    assert.equal(redactSecretsInText('card 4111 1111 1111 1111 ok'), 'card 411111******1111 ok');
    assert.equal(redactSecretsInText('order 1234567890123 shipped'), 'order 1234567890123 shipped', 'a number that fails the Luhn check is kept');
  });

  it('details are copied with secret keys replaced, depth and size capped, and never throw', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const throwing = Object.defineProperty({}, 'boom', { enumerable: true, get() { throw new Error('x'); } });
    const out = sanitizeDetails({ password: 'p', nested: { token: 't', ok: 'fine' }, cyclic, throwing, big: 'y'.repeat(5000), n: 10n as unknown as number, buf: Buffer.from('abc'), list: Array.from({ length: 100 }, (_, i) => i) });
    assert.equal(out.password, '[REDACTED]');
    assert.deepEqual(out.nested, { token: '[REDACTED]', ok: 'fine' });
    assert.equal((out.cyclic as Record<string, unknown>).self, '[circular]');
    assert.deepEqual(out.throwing, { boom: '[unreadable]' });
    assert.ok((out.big as string).length <= 1000);
    assert.equal(out.n, '10');
    assert.equal(out.buf, '[3 bytes]');
    assert.equal((out.list as unknown[]).length, 51);
  });

  it('flat details come out as the same object copied nested, and each getter runs once', () => {
    const when = new Date(Date.UTC(2026, 0, 2));
    const flat = Object.defineProperty(
      { guard: 'wp.secureAuth()', password: 'CANARY-flat', 'k\u0007ey': 'v', n: 3, nan: Number.NaN, big: 'z'.repeat(2000), at: when, buf: Buffer.from('ab'), none: undefined, nil: null, ok: true, note: 'Bearer abcdefghijklmnop' },
      'boom',
      { enumerable: true, get() { throw new Error('x'); } },
    );
    const out = sanitizeDetails(flat);
    assert.deepEqual(out, (sanitizeDetails({ x: flat }) as { x: unknown }).x);
    assert.equal(out.password, '[REDACTED]');
    assert.equal(out.boom, '[unreadable]');
    assert.equal(out.at, when.toISOString());
    assert.equal(out.none, null);
    assert.equal(out.nan, 'NaN');
    assert.ok(!JSON.stringify(out).includes('CANARY-flat') && !JSON.stringify(out).includes('abcdefghijklmnop'));
    assert.ok((out.big as string).length <= 1000);
    assert.deepEqual(Object.keys(out), Object.keys((sanitizeDetails({ x: flat }) as { x: object }).x));
    // Each getter runs once, whether the object turns out flat or not.
    let reads = 0;
    const counting = (nested: boolean) => Object.defineProperty(nested ? { n: { deep: 1 } } : { n: 1 }, 'g', { enumerable: true, get: () => ++reads });
    reads = 0;
    assert.equal(sanitizeDetails(counting(false)).g, 1);
    assert.equal(reads, 1, 'flat: the getter ran once');
    reads = 0;
    const nestedOut = sanitizeDetails(counting(true));
    assert.equal(nestedOut.g, 1);
    assert.deepEqual(nestedOut.n, { deep: 1 });
    assert.equal(reads, 1, 'not flat: the walk uses what was read, the getter ran once');
    // Past maxKeys the walk decides, with its truncation marker.
    const wide = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${i}`, i]));
    assert.equal(sanitizeDetails(wide)['[truncated]'], '10 more keys');
  });
});
