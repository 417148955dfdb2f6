export { AuditTrail, outcomeOf, isAggregated, DENIED_AUDIT_WINDOW_SECONDS, type AuditEntry } from './audit-trail.js';
