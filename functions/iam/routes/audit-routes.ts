import { operation } from '../../../shared/http/index.js';
import { platformObject } from '../../../shared/policy/index.js';
import { listAudit } from '../handlers/audit/list.js';
import { AuditRecord, ListAuditQuery, Page } from '../schemas.js';

export const auditRoutes = [
  operation({
    method: 'GET',
    path: '/api/v1/audit',
    operationId: 'iam.listAudit',
    tags: ['audit'],
    summary: 'The audit trail, newest first: every mutating and every denied request; repeated denials are counted on one record (count, lastAt).',
    query: ListAuditQuery,
    responses: { 200: { description: 'A page of audit records', schema: Page(AuditRecord) } },
    authorization: { action: 'iam:audit:read', resource: () => platformObject('iam', 'audit') },
    handler: listAudit,
  }),
];
