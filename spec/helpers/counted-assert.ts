/**
 * `node:assert/strict` with a counter. Every spec imports `assert` from here; the root
 * hook in root-hooks.ts fails any test that made no assertion, so a test cannot pass by
 * checking nothing.
 */
import strict from 'node:assert/strict';

let count = 0;

/** Number of assertions made since the last reset. */
export function assertionCount(): number {
  return count;
}

/** Called by the root hook before each test. */
export function resetAssertionCount(): void {
  count = 0;
}

type StrictAssert = typeof strict;

function counted<F extends (...args: never[]) => unknown>(fn: F): F {
  return function countedAssertion(this: unknown, ...args: Parameters<F>) {
    count += 1;
    return fn.apply(this, args);
  } as unknown as F;
}

const wrapped = counted(strict as unknown as (value: unknown, message?: string | Error) => void) as unknown as StrictAssert;
for (const name of Object.keys(strict) as (keyof StrictAssert)[]) {
  const member = strict[name];
  if (typeof member === 'function' && name !== 'AssertionError' && name !== 'CallTracker') {
    (wrapped as unknown as Record<string, unknown>)[name] = counted(member as (...a: never[]) => unknown);
  } else {
    (wrapped as unknown as Record<string, unknown>)[name] = member;
  }
}

export const assert: StrictAssert = wrapped;
export default assert;
