/** watchpost: public surface. Re-exports only; createWatchpost() lives in watchpost.ts. */
export type * from './core/types';
export { SEVERITIES, SECURITY_EVENT_TYPES } from './core/types';
export { createWatchpost } from './watchpost';
export type { Watchpost, HealthReport, Monitor } from './watchpost';
export type { WatchpostOptions, WatchpostConfig, RuleId, LogLevel, StoreErrorPolicy } from './config/options';
export { RULE_IDS } from './config/options';
export { ENVIRONMENT_VARIABLES } from './config/settings';
export type { SecurityEventInput, RequestLike } from './core/monitor';
export type { CounterStore, WindowCount, ActiveBlock, Logger, Clock, Alerter, AlertNotice } from './core/ports';
export { SecError, ConfigError, SetupError, StoreError, PersistenceError, AlertError, InputError } from './core/errors';
export { MemoryStore } from './stores/memory-store';
export { RedisStore } from './stores/redis-store';
export { SecureAuth } from './decorators/secure-auth';
export { SecureAssessment } from './decorators/secure-assessment';
export { AUTH_POLICY, ASSESSMENT_POLICY, getPolicy } from './decorators/metadata';
export type { SecureAuthOptions, SecureAssessmentOptions, AuthPolicy, AssessmentPolicy } from './config/policies';
export type { MiddlewareOptions, WatchpostMiddleware } from './http/middleware';
export type { RequestContext } from './http/suite';
