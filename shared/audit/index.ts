export { AuditTrail, outcomeOf, isAggregated, DENIED_AUDIT_WINDOW_SECONDS, type AuditEntry } from './audit-trail.js';
export type { AuditStore, AuditRecord } from './audit-store.js';
export { postgresAuditStore } from './postgres-audit-store.js';
