/**
 * What the HTTP layer gets from the composition root. Concrete adapters stay outside
 * http/: everything arrives through these ports.
 */
import type { WatchpostConfig } from '../config/options';
import type { CidrSet } from '../core/cidr';
import type { SecurityEventInput } from '../core/monitor';
import type { Clock, CounterStore, InjectionScanner, Logger, MetricsSink } from '../core/ports';
import type { ScanVerdict } from '../core/types';
import type { AssessmentRuntime } from './assessment-guard';

/** Metrics the guards report. */
export interface HttpMetrics extends MetricsSink {
  startCheckTimer(guard: string): () => void;
  blockedRequest(guard: string): void;
  /** One anomaly found in an assessment submission, by check. */
  assessmentAnomaly(check: string): void;
}

/** The suite as the HTTP layer sees it. */
export interface HttpSuite {
  readonly config: WatchpostConfig;
  readonly logEvent: (input: SecurityEventInput) => string;
  readonly store: CounterStore;
  readonly scanner: InjectionScanner;
  readonly metrics: HttpMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly allow: CidrSet;
  readonly deny: CidrSet;
  /** Counter/block key of a client address (IPv6 prefix). */
  readonly keyOf: (ip: string) => string | undefined;
  /** Assessment checks (undefined when ENABLE_ANOMALY_DETECTION is off). */
  readonly assessments?: AssessmentRuntime;
}

/** Per-request state, on `req.watchpost`. */
export interface RequestContext {
  /** Echoed in the X-Request-Id response header and carried on every event. */
  readonly requestId: string;
  /** Canonical client address. */
  readonly ip: string;
  /** Counter and block key (IPv4 address or IPv6 prefix). */
  readonly ipKey: string;
  readonly allowListed: boolean;
  /** The injection verdict, when the request was scanned. */
  injection?: ScanVerdict;
  /** The assessment verdict, set by @SecureAssessment. */
  assessment?: unknown;
}

/** The key under which wp.middleware() registers the suite in `app.locals`. */
export const SUITE_KEY = Symbol.for('watchpost.suite');

/** A watchpost instance carries its HTTP suite under this key (for decorators naming an instance). */
export const INSTANCE_SUITE = Symbol.for('watchpost.instanceSuite');
