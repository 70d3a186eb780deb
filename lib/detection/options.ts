/**
 * Options of the injection detector: user input (`DetectorOptions`), the resolved shape
 * (`DetectorConfig`) and the one function that turns the first into the second.
 */

/** Paranoia levels, as in the OWASP Core Rule Set: higher finds more and refuses more. */
export type ParanoiaLevel = 1 | 2 | 3 | 4;

/** Caps on how much of a request is scanned. All optional; see {@link DEFAULT_LIMITS}. */
export interface DetectorLimits {
  /** Deepest nesting walked by `scanObject`. Defaults to `32`. */
  readonly maxDepth?: number;
  /** Most object keys walked by one `scanObject` call. Defaults to `2000`. */
  readonly maxKeys?: number;
  /** Most array elements (and `scanInputs` entries) scanned by one call. Defaults to `10000`. */
  readonly maxItems?: number;
  /** Longest string scanned, in UTF-8 bytes; the rest is not scanned and `incomplete` is set. Defaults to `1048576` (1 MiB). */
  readonly maxValueBytes?: number;
  /** Most UTF-8 bytes scanned by one call over all values. Defaults to `4194304` (4 MiB). */
  readonly maxTotalBytes?: number;
}

/** Options of {@link createInjectionDetector}. */
export interface DetectorOptions {
  /** Paranoia level 1-4. Defaults to {@link DEFAULT_PARANOIA}, the level that meets the false-positive target. */
  readonly paranoia?: ParanoiaLevel;
  readonly limits?: DetectorLimits;
  /**
   * Object keys whose values are never scanned (the key itself still is), so they never show
   * up in a snippet: secret fields such as `password`. By default every value is scanned.
   * A function of the key name alone: for a remembered clean key list it is asked once per key.
   */
  readonly skipValuesOf?: (key: string) => boolean;
}

/** Resolved limits: every field present. */
export interface DetectorLimitsConfig {
  readonly maxDepth: number;
  readonly maxKeys: number;
  readonly maxItems: number;
  readonly maxValueBytes: number;
  readonly maxTotalBytes: number;
}

/** Resolved options. */
export interface DetectorConfig {
  readonly paranoia: ParanoiaLevel;
  /** Score at which a value is an attack at this paranoia level. */
  readonly threshold: number;
  readonly limits: DetectorLimitsConfig;
  readonly skipValuesOf: ((key: string) => boolean) | undefined;
}

/**
 * Paranoia level used when none is given: level 1 keeps the benign false-positive rate
 * under 0.1% on the corpus and on the extra benign set (see docs/detection.md).
 */
export const DEFAULT_PARANOIA: ParanoiaLevel = 1;

/** Score a value needs to count as an attack, per paranoia level. */
export const PARANOIA_THRESHOLDS: Readonly<Record<ParanoiaLevel, number>> = { 1: 7, 2: 6, 3: 5, 4: 4 };

/** Default caps. */
export const DEFAULT_LIMITS: DetectorLimitsConfig = {
  maxDepth: 32,
  maxKeys: 2000,
  maxItems: 10000,
  maxValueBytes: 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024,
};

/** Error code thrown for an option that cannot work. */
export const ERR_INVALID_DETECTION_OPTION = 'ERR_WATCHPOST_INVALID_DETECTION_OPTION';

/**
 * A detector option that cannot work. Same shape as `ConfigError` of core/errors.ts (a
 * `code`, the message with the code and docs anchor), declared here because detection/
 * may not import run-time code from core/.
 */
export class DetectionConfigError extends Error {
  readonly code = ERR_INVALID_DETECTION_OPTION;

  constructor(message: string) {
    super(`${message} [${ERR_INVALID_DETECTION_OPTION}] see docs/error-codes.md#${ERR_INVALID_DETECTION_OPTION.toLowerCase()}`);
    this.name = 'ConfigError';
  }
}

const KNOWN_OPTIONS: Record<keyof Required<DetectorOptions>, true> = { paranoia: true, limits: true, skipValuesOf: true };
const KNOWN_LIMITS: Record<keyof Required<DetectorLimits>, true> = {
  maxDepth: true, maxKeys: true, maxItems: true, maxValueBytes: true, maxTotalBytes: true,
};

function checkKeys(obj: object, known: Record<string, true>, where: string): void {
  for (const key of Object.keys(obj)) {
    if (!Object.prototype.hasOwnProperty.call(known, key)) {
      const hint = Object.keys(known).find((k) => k.toLowerCase() === key.toLowerCase());
      throw new DetectionConfigError(
        `createInjectionDetector: unknown option ${where}${JSON.stringify(key)}. ${hint ? `Did you mean \`${hint}\`?` : `Known options: ${Object.keys(known).join(', ')}.`}`,
      );
    }
  }
}

/** Validates options once, at start-up. Throws {@link DetectionConfigError}. */
export function parseDetectorOptions(input: DetectorOptions | undefined): DetectorConfig {
  const options = (input ?? {}) as Record<string, unknown>;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DetectionConfigError(`createInjectionDetector: options ${JSON.stringify(input)} must be an object. Pass { paranoia, limits, skipValuesOf } or nothing.`);
  }
  checkKeys(options, KNOWN_OPTIONS, '');
  let paranoia: ParanoiaLevel = DEFAULT_PARANOIA;
  if (options.paranoia !== undefined) {
    const p = options.paranoia;
    if (p !== 1 && p !== 2 && p !== 3 && p !== 4) {
      throw new DetectionConfigError(`createInjectionDetector: paranoia ${JSON.stringify(p)} must be 1, 2, 3 or 4.`);
    }
    paranoia = p;
  }
  const limits: Record<string, number> = { ...DEFAULT_LIMITS };
  if (options.limits !== undefined) {
    const l = options.limits as Record<string, unknown>;
    if (typeof l !== 'object' || l === null || Array.isArray(l)) {
      throw new DetectionConfigError(`createInjectionDetector: limits ${JSON.stringify(l)} must be an object.`);
    }
    checkKeys(l, KNOWN_LIMITS, 'limits.');
    for (const key of Object.keys(KNOWN_LIMITS)) {
      const v = l[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
        throw new DetectionConfigError(`createInjectionDetector: limits.${key} ${JSON.stringify(v)} must be an integer >= 1.`);
      }
      limits[key] = v;
    }
  }
  const skip = options.skipValuesOf;
  if (skip !== undefined && typeof skip !== 'function') {
    throw new DetectionConfigError(`createInjectionDetector: skipValuesOf must be a function (key: string) => boolean.`);
  }
  return {
    paranoia,
    threshold: PARANOIA_THRESHOLDS[paranoia],
    limits: Object.freeze(limits as unknown as DetectorLimitsConfig),
    skipValuesOf: skip as ((key: string) => boolean) | undefined,
  };
}
