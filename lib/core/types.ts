/**
 * Shared plain-data types. This file is a leaf: it imports nothing, so the pure
 * detection modules may `import type` from it without pulling in any runtime code.
 */

/** Severity of a security event, lowest first. */
export type Severity = 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** All severities, lowest first. */
export const SEVERITIES: readonly Severity[] = ['INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/**
 * Security event types. The first thirteen are seed 002's names; the rest are the
 * events the response side needs (a block was applied, a blocked client was refused, ...).
 */
export type SecurityEventType =
  | 'AUTH_FAILURE'
  | 'AUTH_SUCCESS'
  | 'BRUTE_FORCE_ATTEMPT'
  | 'SQL_INJECTION_ATTEMPT'
  | 'XSS_ATTEMPT'
  | 'COMMAND_INJECTION_ATTEMPT'
  | 'PATH_TRAVERSAL_ATTEMPT'
  | 'NOSQL_INJECTION_ATTEMPT'
  | 'ASSESSMENT_ANOMALY'
  | 'SUSPICIOUS_ACTIVITY'
  | 'RATE_LIMIT_EXCEEDED'
  | 'DATA_ACCESS_VIOLATION'
  | 'SESSION_HIJACKING'
  | 'SSJS_INJECTION_ATTEMPT'
  | 'PROTOTYPE_POLLUTION_ATTEMPT'
  | 'SCAN_INCOMPLETE'
  | 'MALFORMED_REQUEST'
  | 'IP_BLOCKED'
  | 'IP_UNBLOCKED'
  | 'BLOCKED_REQUEST'
  | 'ACCOUNT_LOCKED'
  | 'EVENTS_DROPPED';

/** All event types, in declaration order. */
export const SECURITY_EVENT_TYPES: readonly SecurityEventType[] = [
  'AUTH_FAILURE',
  'AUTH_SUCCESS',
  'BRUTE_FORCE_ATTEMPT',
  'SQL_INJECTION_ATTEMPT',
  'XSS_ATTEMPT',
  'COMMAND_INJECTION_ATTEMPT',
  'PATH_TRAVERSAL_ATTEMPT',
  'NOSQL_INJECTION_ATTEMPT',
  'ASSESSMENT_ANOMALY',
  'SUSPICIOUS_ACTIVITY',
  'RATE_LIMIT_EXCEEDED',
  'DATA_ACCESS_VIOLATION',
  'SESSION_HIJACKING',
  'SSJS_INJECTION_ATTEMPT',
  'PROTOTYPE_POLLUTION_ATTEMPT',
  'SCAN_INCOMPLETE',
  'MALFORMED_REQUEST',
  'IP_BLOCKED',
  'IP_UNBLOCKED',
  'BLOCKED_REQUEST',
  'ACCOUNT_LOCKED',
  'EVENTS_DROPPED',
];

// ---------------------------------------------------------------------------
// Injection detection (lib/detection)
// ---------------------------------------------------------------------------

/**
 * Attack classes the injection engine reports. `ssjs` (server-side JavaScript) and
 * `proto` (prototype-pollution keys) are the bonus classes.
 */
export type AttackKind = 'sqli' | 'xss' | 'cmdi' | 'path' | 'nosqli' | 'ssjs' | 'proto';

/** Where a scanned value sits in the request. Rules may differ by location. */
export type ValueLocation =
  | 'query' // a query-string value
  | 'query_key' // a query-string parameter name (or a nested key from qs)
  | 'body' // a body field value (JSON, urlencoded or text)
  | 'body_key' // a body object key
  | 'param' // an Express route parameter
  | 'cookie' // a cookie value
  | 'header' // a header value other than the two below
  | 'user_agent'
  | 'referer'
  | 'path' // the URL path itself
  | 'text' // a value outside a request (the CLI, manual checks)
  | 'answer'; // a free-text answer a person typed in an assessment (formatting markup is weak evidence)

/** One part of a request to scan, as built by http/request-snapshot.ts. */
export interface ScanInput {
  readonly location: ValueLocation;
  /** Dotted path inside the location, for reports: `user.name`, `tags[2]`, `q`. */
  readonly path: string;
  /** A string, or a parsed value (query, JSON body) walked like `scanObject`. */
  readonly value: unknown;
}

/** Why a scan could not look at everything it was given. */
export type ScanIncompleteReason = 'depth' | 'keys' | 'items' | 'size' | 'budget';

/** One rule that matched. */
export interface Finding {
  readonly kind: AttackKind;
  /** Stable rule id, e.g. `sqli.tautology`. Listed in docs/detection.md. */
  readonly ruleId: string;
  /** Contribution of this rule to the value's score. */
  readonly score: number;
  readonly location: ValueLocation;
  readonly path: string;
  /** A short excerpt around the match, capped in length. */
  readonly snippet: string;
}

/** The engine's decision for one value or one request. */
export interface ScanVerdict {
  /** True when the score reached the threshold of the configured paranoia level. */
  readonly attack: boolean;
  readonly score: number;
  readonly kinds: readonly AttackKind[];
  readonly findings: readonly Finding[];
  /** Set when a cap was hit; the caller decides what to do by policy. */
  readonly incomplete?: { readonly reason: ScanIncompleteReason; readonly path: string };
}

// ---------------------------------------------------------------------------
// Assessment anomaly detection (lib/detection/assessment-*)
// ---------------------------------------------------------------------------

/** One assessment submission, as plain data. Times are in seconds. */
export interface AssessmentSubmission {
  readonly user: string;
  readonly type: string;
  readonly completionTimeSec: number;
  readonly responses: Readonly<Record<string, unknown>>;
  readonly score?: number;
  readonly submittedAt: Date;
  readonly itemTimesSec?: Readonly<Record<string, number>>;
}

/** One explained anomaly. */
export interface AssessmentAnomaly {
  /** Stable check id, e.g. `too_fast`, `straight_lining`. */
  readonly type: string;
  readonly severity: Severity;
  /** Observed value, baseline figure, threshold and anything else that explains it. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** The detector's decision for one submission. */
export interface AssessmentVerdict {
  readonly anomalous: boolean;
  readonly anomalies: readonly AssessmentAnomaly[];
}
