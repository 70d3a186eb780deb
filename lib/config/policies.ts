/**
 * Options of @SecureAuth / wp.secureAuth() and @SecureAssessment / wp.secureAssessment(),
 * validated once (at decoration or when the function form is created) into frozen policies.
 */
import { ConfigError } from '../core/errors';
import { unknownOption } from './parsers';

/** Options of @SecureAuth() and wp.secureAuth(). */
export interface SecureAuthOptions {
  /** Body fields holding the username, first present wins. Defaults to `['username', 'email']`. */
  readonly usernameField?: string | readonly string[];
  /** Reads the username another way (takes precedence over usernameField). */
  readonly getUsername?: (req: unknown) => unknown;
  /** Response statuses that mean a failed login. Defaults to `[401, 403]`. Any 2xx is a success. */
  readonly failureStatuses?: readonly number[];
  /** The watchpost instance to use instead of the one mounted on the app. */
  readonly instance?: unknown;
}

/** Options of @SecureAssessment() and wp.secureAssessment(). */
export interface SecureAssessmentOptions {
  /** Assessment type; defaults to the submission's `type` field. */
  readonly type?: string;
  /** Where the submission is: a function of the request. Defaults to `body.assessment_data`, else the body. */
  readonly extract?: (req: unknown) => unknown;
  /** Who submitted: a function of the request. Defaults to `req.user.id`, else the submission's `user`/`user_id`. */
  readonly getUser?: (req: unknown) => unknown;
  /** `annotate` (default: the handler runs, the verdict is on req.watchpost.assessment) or `reject` (422). */
  readonly onAnomaly?: 'annotate' | 'reject';
  /** The watchpost instance to use instead of the one mounted on the app. */
  readonly instance?: unknown;
}

/** A parsed login policy. */
export interface AuthPolicy {
  readonly kind: 'auth';
  readonly where: string;
  readonly usernameFields: readonly string[];
  readonly getUsername?: (req: unknown) => unknown;
  readonly failureStatuses: readonly number[];
  readonly instance?: unknown;
}

/** A parsed assessment policy. */
export interface AssessmentPolicy {
  readonly kind: 'assessment';
  readonly where: string;
  readonly type?: string;
  readonly extract?: (req: unknown) => unknown;
  readonly getUser?: (req: unknown) => unknown;
  readonly onAnomaly: 'annotate' | 'reject';
  readonly instance?: unknown;
}

function unknownKeys(where: string, opts: object, known: readonly string[]): void {
  for (const key of Object.keys(opts)) if (!known.includes(key)) throw unknownOption(where, key, key, known);
}

function bad(where: string, name: string, value: unknown, expected: string): never {
  throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${where}: ${name} ${JSON.stringify(value)} is not valid. Expected ${expected}.`);
}

/** Validates @SecureAuth options; `where` names the decorated method or the call. */
export function parseAuthPolicy(opts: SecureAuthOptions | undefined, where: string): AuthPolicy {
  const o = opts ?? {};
  if (typeof o !== 'object' || o === null) bad(where, 'options', o, 'an object');
  unknownKeys(where, o, ['usernameField', 'getUsername', 'failureStatuses', 'instance']);
  const fields = o.usernameField === undefined ? ['username', 'email'] : typeof o.usernameField === 'string' ? [o.usernameField] : o.usernameField;
  if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string' && f.length > 0)) bad(where, 'usernameField', o.usernameField, 'a field name or a list of field names');
  if (o.getUsername !== undefined && typeof o.getUsername !== 'function') bad(where, 'getUsername', o.getUsername, 'a function (req) => username');
  const statuses = o.failureStatuses ?? [401, 403];
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => Number.isInteger(s) && s >= 300 && s <= 599)) bad(where, 'failureStatuses', o.failureStatuses, 'a list of HTTP statuses from 300 to 599');
  return Object.freeze({ kind: 'auth' as const, where, usernameFields: Object.freeze([...fields]), getUsername: o.getUsername, failureStatuses: Object.freeze([...statuses]), instance: o.instance });
}

/** Validates @SecureAssessment options. */
export function parseAssessmentPolicy(opts: SecureAssessmentOptions | undefined, where: string): AssessmentPolicy {
  const o = opts ?? {};
  if (typeof o !== 'object' || o === null) bad(where, 'options', o, 'an object');
  unknownKeys(where, o, ['type', 'extract', 'getUser', 'onAnomaly', 'instance']);
  if (o.type !== undefined && (typeof o.type !== 'string' || !/^[\w.:-]{1,128}$/.test(o.type))) bad(where, 'type', o.type, 'an assessment type name of letters, digits, _ . : -');
  if (o.extract !== undefined && typeof o.extract !== 'function') bad(where, 'extract', o.extract, 'a function (req) => submission');
  if (o.getUser !== undefined && typeof o.getUser !== 'function') bad(where, 'getUser', o.getUser, 'a function (req) => user id');
  const onAnomaly = o.onAnomaly ?? 'annotate';
  if (onAnomaly !== 'annotate' && onAnomaly !== 'reject') bad(where, 'onAnomaly', o.onAnomaly, '"annotate" or "reject"');
  return Object.freeze({ kind: 'assessment' as const, where, type: o.type, extract: o.extract, getUser: o.getUser, onAnomaly, instance: o.instance });
}
