import { sql } from 'kysely';
import type { Executor } from '../db/index.js';
import type { AuditRecord, AuditStore } from './audit-store.js';

const columns = (r: AuditRecord) => ({
  request_id: r.requestId,
  principal_id: r.principalId,
  principal_name: r.principalName,
  principal_kind: r.principalKind,
  function: r.function,
  action: r.action,
  resource: r.resource,
  outcome: r.outcome,
  status: r.status,
  method: r.method,
  detail: r.detail,
  client_address: r.clientAddress,
});

/** The PostgreSQL audit store (PGlite runs the same SQL): table audit_log, one statement per request. */
export function postgresAuditStore(db: Executor): AuditStore {
  return {
    async append(record) {
      await db.insertInto('audit_log').values(columns(record)).execute();
    },

    async count(record, group) {
      await db
        .insertInto('audit_log')
        .values({ ...columns(record), aggregate_key: group.key, last_at: group.at, last_request_id: record.requestId })
        .onConflict((oc) =>
          oc
            .column('aggregate_key')
            .where('aggregate_key', 'is not', null)
            .doUpdateSet({
              occurrences: sql<number>`audit_log.occurrences + 1`,
              last_at: sql<Date>`greatest(audit_log.last_at, excluded.last_at)`,
              last_request_id: sql<string>`excluded.last_request_id`,
            }),
        )
        .execute();
    },
  };
}
