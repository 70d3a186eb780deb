/** watchpost: public surface. Re-exports plus the createWatchpost() composition root. */
export type * from './core/types';
export { SEVERITIES, SECURITY_EVENT_TYPES } from './core/types';
