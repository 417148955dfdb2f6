import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { Principal } from '../auth/index.js';

export interface AuditEntry {
  requestId: string;
  principal: Principal | undefined;
  function: string;
  action: string;
  resource: string;
  status: number;
  method: string;
  detail?: string | undefined;
}

export function outcomeOf(status: number): 'success' | 'denied' | 'failure' {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'success' : 'failure';
}

/** Who did what to which resource, and how it ended. Readable by admins at GET /api/v1/audit. */
export class AuditTrail {
  constructor(private readonly db: Db, private readonly log: Logger) {}

  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.db
        .insertInto('audit_log')
        .values({
          request_id: entry.requestId,
          principal_id: entry.principal?.id ?? null,
          principal_name: entry.principal?.name ?? null,
          principal_kind: entry.principal?.kind ?? null,
          function: entry.function,
          action: entry.action,
          resource: entry.resource,
          outcome: outcomeOf(entry.status),
          status: entry.status,
          method: entry.method,
          detail: entry.detail?.slice(0, 2000) ?? null,
        })
        .execute();
    } catch (err) {
      // The answer has been decided already; losing the audit line must be loud, not fatal to the request.
      this.log.error({ err, audit: { ...entry, principal: entry.principal?.id } }, 'could not write audit record');
    }
  }
}
