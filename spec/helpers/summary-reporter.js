'use strict';
/**
 * Mocha reporter: the usual spec output, then tests that passed without an assertion are
 * reported as failures, and the last line is always `N passed, N failed` (CI reads it).
 */
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    this.extraFailures = 0;
    runner.once(EVENT_RUN_END, () => {
      const empty = globalThis.__watchpostTestsWithoutAssertions || [];
      if (empty.length > 0) {
        console.log(`\n  ${empty.length} test(s) passed without making any assertion (counted as failed):`);
        for (const title of empty) console.log(`    - ${title}`);
      }
      this.extraFailures = empty.length;
      const passed = this.stats.passes - empty.length;
      const failed = this.stats.failures + empty.length;
      console.log(`\n${passed} passed, ${failed} failed`);
    });
  }

  done(failures, fn) {
    fn(failures + this.extraFailures);
  }
}

module.exports = SummaryReporter;
