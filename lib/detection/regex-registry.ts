/**
 * Every regular expression lib/detection ships (the injection engine and the assessment checks), in one list, so that the test
 * suite can run `recheck` (ReDoS analysis) on each one (spec/detection/regex-safety.spec.ts).
 * The rules are mostly hand-written scanners; the few regexes are anchored and bounded.
 */
import { CMD_REGEXES } from './command-injection';
import { NOSQL_REGEXES } from './nosql-injection';
import { PATH_REGEXES } from './path-traversal';
import { FINDINGS_REGEXES } from './findings';
import { ASSESSMENT_FEATURE_REGEXES } from './assessment-features';

/** One registered expression. */
export interface RegisteredRegex {
  readonly module: string;
  readonly regex: RegExp;
}

/** All regexes used by lib/detection. */
export const DETECTION_REGEXES: readonly RegisteredRegex[] = [
  ...CMD_REGEXES.map((regex) => ({ module: 'command-injection', regex })),
  ...NOSQL_REGEXES.map((regex) => ({ module: 'nosql-injection', regex })),
  ...PATH_REGEXES.map((regex) => ({ module: 'path-traversal', regex })),
  ...FINDINGS_REGEXES.map((regex) => ({ module: 'findings', regex })),
  ...ASSESSMENT_FEATURE_REGEXES.map((regex) => ({ module: 'assessment-features', regex })),
];
