/**
 * Metadata keys and accessors: the only file that imports reflect-metadata or calls
 * Reflect.* (STYLE.md section 5). A frozen, parsed policy is stored on the guarded handler.
 */
import 'reflect-metadata';

/** Metadata key of a @SecureAuth policy. */
export const AUTH_POLICY = Symbol('watchpost:auth-policy');
/** Metadata key of a @SecureAssessment policy. */
export const ASSESSMENT_POLICY = Symbol('watchpost:assessment-policy');

/** Records a policy on a function. */
export function setPolicy(target: object, key: symbol, policy: unknown): void {
  Reflect.defineMetadata(key, policy, target);
}

/** Reads a policy recorded on a function (introspection and tests). */
export function getPolicy<T>(target: object, key: symbol): T | undefined {
  return Reflect.getMetadata(key, target) as T | undefined;
}
