import { json, route } from '../../../shared/http/index.js';
import { ValidationError } from '../../../shared/errors/index.js';
import { AuditRecord, ListAuditQuery, Page } from '../schemas.js';

function decodeAuditCursor(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const id = Buffer.from(token, 'base64url').toString('utf8');
  // A row id, at most 18 digits: 19 could pass int8's 2^63 - 1 and fail in PostgreSQL.
  if (!/^[0-9]{1,18}$/.test(id)) throw new ValidationError([{ in: 'query', field: 'pageToken', message: 'is not a page token this API issued' }]);
  return id;
}

export const auditRoutes = [
  route({
    method: 'GET', path: '/api/v1/audit', operationId: 'iam.listAudit', tags: ['audit'], auth: 'required',
    summary: 'The audit trail, newest first: every mutating and every denied request; repeated denials are counted on one record (count, lastAt).', query: ListAuditQuery,
    responses: { 200: { description: 'A page of audit records', schema: Page(AuditRecord) } },
    handler: async (ctx) => {
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'iam:audit:read', 'iam/audit');
      const { query } = ctx;
      const size = query.pageSize ?? 50;
      const before = decodeAuditCursor(query.pageToken);
      let q = ctx.platform.store.db.selectFrom('audit_log').selectAll();
      if (query.principalId) q = q.where('principal_id', '=', query.principalId);
      if (query.action) q = q.where('action', '=', query.action);
      if (query.outcome) q = q.where('outcome', '=', query.outcome);
      if (query.resourcePrefix) q = q.where('resource', 'like', `${query.resourcePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      // An aggregated record is in range while any of its requests is: it began before `until` and ended after `since`.
      if (query.since) q = q.where((eb) => eb(eb.fn.coalesce('last_at', 'at'), '>=', new Date(query.since as string)));
      if (query.until) q = q.where('at', '<', new Date(query.until));
      // The id is a sequence, so it orders records as they were written and pages stay stable as new ones arrive.
      if (before) q = q.where('id', '<', before);
      const rows = await q.orderBy('id', 'desc').limit(size + 1).execute();
      const more = rows.length > size;
      const items = (more ? rows.slice(0, size) : rows).map((r) => ({
        id: String(r.id),
        at: r.at.toISOString(),
        requestId: r.request_id,
        principal: r.principal_id ? { id: r.principal_id, name: r.principal_name, kind: r.principal_kind } : null,
        function: r.function,
        action: r.action,
        resource: r.resource,
        outcome: r.outcome,
        status: r.status,
        method: r.method,
        detail: r.detail,
        clientAddress: r.client_address,
        count: r.occurrences,
        lastAt: (r.last_at ?? r.at).toISOString(),
        lastRequestId: r.last_request_id ?? r.request_id,
      }));
      const last = items[items.length - 1];
      return json(200, { items, nextPageToken: more && last ? Buffer.from(last.id).toString('base64url') : null });
    },
  }),
];
