/**
 * The one decorator factory behind @SecureAuth() and @SecureAssessment(): validates the
 * options at decoration time, records the frozen policy and wraps the handler through the
 * same runtime as wp.secureAuth() / wp.secureAssessment().
 */
import { ConfigError } from '../core/errors';
import { guardHandler, type Policy } from '../http/policy-runtime';
import { setPolicy } from './metadata';

/** Builds the method decorator `@<name>(options)`; `argCount` is the factory's `arguments.length`. */
export function policyDecorator<O>(name: string, argCount: number, options: O, parse: (options: O, where: string) => Policy, metadataKey: symbol): MethodDecorator {
  if (argCount > 1) {
    throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `@${name}: write @${name}() with parentheses (it is a decorator factory).`);
  }
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    const where = `@${name}() on ${(target as { constructor?: { name?: string } }).constructor?.name ?? 'class'}.${String(key)}`;
    if (typeof descriptor?.value !== 'function') {
      throw new ConfigError('ERR_WATCHPOST_INVALID_OPTION', `${where}: decorate a method (a request handler).`);
    }
    const policy = parse(options, where);
    const guarded = guardHandler(descriptor.value as (...a: never[]) => unknown, policy);
    setPolicy(guarded, metadataKey, policy);
    descriptor.value = guarded;
    return descriptor;
  };
}
