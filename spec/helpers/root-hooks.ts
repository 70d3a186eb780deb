/**
 * Mocha root hooks (loaded with --require). A test that passes without making a single
 * assertion through spec/helpers/counted-assert.ts is turned into a failure.
 */
import type { Context, Test } from 'mocha';
import { assertionCount, resetAssertionCount } from './counted-assert';

/** Names of tests that passed without asserting anything; read by the summary reporter. */
export const testsWithoutAssertions: string[] = [];
(globalThis as Record<string, unknown>).__watchpostTestsWithoutAssertions = testsWithoutAssertions;

export const mochaHooks = {
  beforeEach(): void {
    resetAssertionCount();
  },
  afterEach(this: Context): void {
    const test = this.currentTest as Test | undefined;
    if (test && test.state === 'passed' && assertionCount() === 0) {
      testsWithoutAssertions.push(test.fullTitle());
    }
  },
};
