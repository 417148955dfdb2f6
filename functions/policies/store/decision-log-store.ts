import type { Executor } from '../../../shared/db/index.js';

export interface DecisionLogEntry {
  id: string;
  at: string;
  kind: string;
  principal: string;
  action: string;
  resource: string;
  allowed: boolean;
  policyId: string | null;
  policyVersion: number | null;
  setVersion: number;
  input: unknown;
  result: unknown;
}

/** The decision log (policy_decision_log), newest first; written by shared/policy's DecisionLog. */
export interface DecisionLogStore {
  list(filter: {
    principal?: string;
    kind?: 'data' | 'control';
    allowed?: boolean;
    pageSize?: number;
    pageToken?: string;
  }): Promise<{ items: DecisionLogEntry[]; nextPageToken: string | null }>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function decisionLogStore(db: Executor): DecisionLogStore {
  return {
    async list({ principal, kind, allowed, pageSize, pageToken }) {
      const size = pageSize ?? 100;
      let q = db
        .selectFrom('policy_decision_log')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(size + 1);
      if (principal) q = q.where('principal', '=', principal);
      if (kind) q = q.where('kind', '=', kind);
      if (allowed !== undefined) q = q.where('allowed', '=', allowed);
      if (pageToken) q = q.where('id', '<', pageToken);
      const rows = await q.execute();
      const page = rows.slice(0, size);
      return {
        items: page.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          kind: r.kind,
          principal: r.principal,
          action: r.action,
          resource: r.resource,
          allowed: r.allowed,
          policyId: r.policy_id,
          policyVersion: r.policy_version,
          setVersion: Number(r.set_version),
          input: r.input,
          result: r.result,
        })),
        nextPageToken: rows.length > size ? page[page.length - 1]!.id : null,
      };
    },
  };
}
