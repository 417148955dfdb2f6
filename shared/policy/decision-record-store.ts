/** An audited policy decision, as the decision log keeps it. */
export interface DecisionRecord {
  kind: 'data' | 'control';
  principal: string;
  action: string;
  resource: string;
  allowed: boolean;
  policyId?: string | undefined;
  policyVersion?: number | undefined;
  setVersion: number;
  input: Record<string, unknown>;
  result: Record<string, unknown>;
}

/** A decision as it is written: the record and when it was made (ms since the epoch). */
export type TimedDecisionRecord = DecisionRecord & { readonly at: number };

/** Where the decision log (decision-log.ts) writes audited decisions; it is read back by the policies function. */
export interface DecisionRecordStore {
  /** Writes a batch of decisions at once. */
  append(records: readonly TimedDecisionRecord[]): Promise<void>;
}
