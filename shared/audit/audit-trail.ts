import { createHash } from 'node:crypto';
import type { Logger } from '../log/index.js';
import type { Principal } from '../auth/index.js';
import type { AuditRecord, AuditStore } from './audit-store.js';

export interface AuditEntry {
  requestId: string;
  principal: Principal | undefined;
  function: string;
  action: string;
  resource: string;
  status: number;
  method: string;
  detail?: string | undefined;
  /** The client's address (RequestContext.ip). */
  clientAddress?: string | undefined;
}

export function outcomeOf(status: number): 'success' | 'denied' | 'failure' {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'success' : 'failure';
}

/** Repeated denials of one group within this window share one row. */
export const DENIED_AUDIT_WINDOW_SECONDS = 300;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request is audited as one of a group rather than on a row of its own: every 401 and 403, and every failed
 * request without a principal (wrong passwords at the token endpoint), which anyone can send by the thousand. A
 * signed-in caller refused a change keeps a row of its own: it names someone who tried to change something.
 */
export function isAggregated(entry: Pick<AuditEntry, 'principal' | 'status' | 'method'>): boolean {
  const denied = entry.status === 401 || entry.status === 403;
  const anonymousFailure = entry.principal === undefined && entry.status >= 400 && entry.status < 500;
  if (!denied && !anonymousFailure) return false;
  return !(entry.principal !== undefined && !SAFE_METHODS.has(entry.method));
}

/** The group an aggregated request belongs to: where from, who, which route, how it ended, and when (the window). */
function aggregateKey(entry: AuditEntry, now: number): string {
  const window = Math.floor(now / (DENIED_AUDIT_WINDOW_SECONDS * 1000));
  const who = entry.principal ? `${entry.principal.kind}:${entry.principal.id}` : 'anonymous';
  return createHash('sha256')
    .update([entry.clientAddress ?? 'unknown', who, entry.function, entry.action, String(entry.status), String(window)].join('\0'))
    .digest('hex');
}

/**
 * Who did what to which resource, and how it ended. Readable by admins at GET /api/v1/audit. Denied and anonymous
 * failed requests are counted on one row per group and window (isAggregated), which keeps the first request's id and
 * detail, the last one's id and time, and how many there were: what an investigator asks, in O(1) rows per flood.
 */
export class AuditTrail {
  constructor(
    private readonly store: AuditStore,
    private readonly log: Logger,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const now = new Date();
    const record: AuditRecord = {
      requestId: entry.requestId,
      principalId: entry.principal?.id ?? null,
      principalName: entry.principal?.name ?? null,
      principalKind: entry.principal?.kind ?? null,
      function: entry.function,
      action: entry.action,
      resource: entry.resource,
      outcome: outcomeOf(entry.status),
      status: entry.status,
      method: entry.method,
      detail: entry.detail?.slice(0, 2000) ?? null,
      clientAddress: entry.clientAddress ?? null,
    };
    try {
      if (isAggregated(entry)) await this.store.count(record, { key: aggregateKey(entry, now.getTime()), at: now });
      else await this.store.append(record);
    } catch (err) {
      // The answer has been decided already; losing the audit line must be loud, not fatal to the request.
      this.log.error({ err, audit: { ...entry, principal: entry.principal?.id } }, 'could not write audit record');
    }
  }
}
