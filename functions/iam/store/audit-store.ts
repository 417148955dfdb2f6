import type { Executor } from '../../../shared/db/index.js';

export interface AuditRecord {
  id: string;
  at: string;
  requestId: string | null;
  principal: { id: string; name: string | null; kind: string | null } | null;
  function: string;
  action: string;
  resource: string;
  outcome: 'success' | 'denied' | 'failure';
  status: number;
  method: string | null;
  detail: string | null;
  clientAddress: string | null;
  count: number;
  lastAt: string;
  lastRequestId: string | null;
}

export interface AuditFilter {
  principalId?: string | undefined;
  action?: string | undefined;
  outcome?: 'success' | 'denied' | 'failure' | undefined;
  resourcePrefix?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Records older than this row id (a page token's position). */
  before?: string | undefined;
  pageSize: number;
}

/** The audit trail as it is read back (shared/audit writes it). */
export interface AuditStore {
  /** Newest first; `more` when there are records past the page. */
  list(filter: AuditFilter): Promise<{ items: AuditRecord[]; more: boolean }>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function auditStore(db: Executor): AuditStore {
  return {
    async list({ principalId, action, outcome, resourcePrefix, since, until, before, pageSize }) {
      let q = db.selectFrom('audit_log').selectAll();
      if (principalId) q = q.where('principal_id', '=', principalId);
      if (action) q = q.where('action', '=', action);
      if (outcome) q = q.where('outcome', '=', outcome);
      if (resourcePrefix) q = q.where('resource', 'like', `${resourcePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      // An aggregated record is in range while any of its requests is: it began before `until` and ended after `since`.
      if (since) q = q.where((eb) => eb(eb.fn.coalesce('last_at', 'at'), '>=', new Date(since)));
      if (until) q = q.where('at', '<', new Date(until));
      // The id is a sequence, so it orders records as they were written and pages stay stable as new ones arrive.
      if (before) q = q.where('id', '<', before);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(pageSize + 1)
        .execute();
      const more = rows.length > pageSize;
      const items = (more ? rows.slice(0, pageSize) : rows).map((r) => ({
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
      return { items, more };
    },
  };
}
