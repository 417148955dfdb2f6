/** One audit row as it is kept. */
export interface AuditRecord {
  readonly requestId: string;
  readonly principalId: string | null;
  readonly principalName: string | null;
  readonly principalKind: string | null;
  readonly function: string;
  readonly action: string;
  readonly resource: string;
  readonly outcome: 'success' | 'denied' | 'failure';
  readonly status: number;
  readonly method: string;
  readonly detail: string | null;
  readonly clientAddress: string | null;
}

/** Where the audit trail is written (audit-trail.ts). */
export interface AuditStore {
  /** A row of its own. */
  append(record: AuditRecord): Promise<void>;
  /**
   * Counts the request on its group's row, made by the group's first request: that row keeps the first request's id
   * and detail, the latest time (`at`) and request id, and how many there were.
   */
  count(record: AuditRecord, group: { readonly key: string; readonly at: Date }): Promise<void>;
}
