export { AuditTrail, outcomeOf, type AuditEntry } from './audit-trail.js';
