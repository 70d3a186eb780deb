/**
 * The injection detection engine (issue 4): pure, plain data in, findings out. Used by the
 * HTTP middleware, the decorators, the assessment checks and `watchpost scan`.
 *
 * ```ts
 * const detector = createInjectionDetector();            // once, at start-up
 * detector.scanValue("' or 1=1--", 'query', 'q');          // { attack: true, kinds: ['sqli'], ... }
 * detector.scanObject(req.body, 'body');                   // keys and values, iteratively, with caps
 * ```
 */
import type { ScanInput, ScanVerdict, ValueLocation } from '../core/types';
import { Engine } from './engine';
import { parseDetectorOptions } from './options';
import type { DetectorOptions } from './options';

export type { DetectorOptions, DetectorLimits, ParanoiaLevel, DetectorConfig } from './options';
export {
  DEFAULT_PARANOIA, PARANOIA_THRESHOLDS, DEFAULT_LIMITS, DetectionConfigError, ERR_INVALID_DETECTION_OPTION,
} from './options';
export { MAX_FINDINGS } from './engine';
export { MAX_SNIPPET } from './findings';

/** A configured detector. Scanning is synchronous, never throws, and compiles nothing. */
export interface InjectionDetector {
  /** The paranoia level in force. */
  readonly paranoia: 1 | 2 | 3 | 4;
  /** One string value at a location (default 'text'). */
  scanValue(value: string, location?: ValueLocation, path?: string): ScanVerdict;
  /** The parts of one request (strings, or parsed values walked like scanObject); one combined verdict, one set of caps. */
  scanInputs(inputs: readonly ScanInput[]): ScanVerdict;
  /**
   * Walks any parsed value (JSON body, qs-parsed query, cookies object) ITERATIVELY with caps:
   * scans keys (as `*_key` locations: NoSQL `$` operators, `__proto__`/`constructor.prototype`) and string values;
   * numbers/booleans/null/Buffers/undefined never throw; a cap hit sets `incomplete` (never a silent pass).
   */
  scanObject(root: unknown, location: ValueLocation, pathPrefix?: string): ScanVerdict;
}

/**
 * Creates a detector. Validates the options (throws `DetectionConfigError`, code
 * `ERR_WATCHPOST_INVALID_DETECTION_OPTION`, on a bad one) and builds every table once.
 */
export function createInjectionDetector(options?: DetectorOptions): InjectionDetector {
  const config = parseDetectorOptions(options);
  const engine = new Engine(config);
  return Object.freeze({
    paranoia: config.paranoia,
    scanValue: (value: string, location?: ValueLocation, path?: string): ScanVerdict => engine.scanValue(value, location, path),
    scanInputs: (inputs: readonly ScanInput[]): ScanVerdict => engine.scanInputs(inputs),
    scanObject: (root: unknown, location: ValueLocation, pathPrefix?: string): ScanVerdict => engine.scanObject(root, location, pathPrefix),
  });
}
