/**
 * @SecureAssessment(): validates its options at decoration time, records the policy and
 * wraps the handler through the same runtime as wp.secureAssessment().
 */
import { parseAssessmentPolicy, type SecureAssessmentOptions } from '../config/policies';
import { ConfigError } from '../core/errors';
import { guardHandler } from '../http/policy-runtime';
import { ASSESSMENT_POLICY, setPolicy } from './metadata';

/** Decorates an assessment-submission handler `(req, res, next?)`. */
export function SecureAssessment(options: SecureAssessmentOptions = {}): MethodDecorator {
  if (arguments.length > 1) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', '@SecureAssessment: write @SecureAssessment() with parentheses (it is a decorator factory).');
  }
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const where = `@SecureAssessment() on ${(target as { constructor?: { name?: string } }).constructor?.name ?? 'class'}.${String(key)}`;
    if (typeof descriptor?.value !== 'function') {
      throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${where}: decorate a method (a request handler).`);
    }
    const policy = parseAssessmentPolicy(options, where);
    const guarded = guardHandler(descriptor.value as (...a: never[]) => unknown, policy);
    setPolicy(guarded, ASSESSMENT_POLICY, policy);
    descriptor.value = guarded;
    return descriptor;
  };
}
