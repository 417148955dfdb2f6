import type { DataPolicyRow, Db, Executor } from '../../db/index.js';
import { DataPolicySet } from './evaluator.js';
import type { DataPolicy, DataPolicyInput } from './policy-schema.js';

/** A stored row as the evaluator and the API see it: the validated document plus id and version. */
export function toDataPolicy(row: Pick<DataPolicyRow, 'id' | 'version' | 'document'>): DataPolicy {
  return { ...(row.document as unknown as DataPolicyInput), id: row.id, version: row.version };
}

/** The version of the whole set: bumped by every change, in the change's transaction. */
export async function dataPolicySetVersion(db: Executor): Promise<number> {
  const row = await db.selectFrom('policy_state').select('data_policy_version').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.data_policy_version);
}

/** Every policy at one version of the set, read in one snapshot (a repeatable-read transaction). */
export async function loadDataPolicySet(db: Executor): Promise<DataPolicySet> {
  const read = async (tx: Executor) => {
    const version = await dataPolicySetVersion(tx);
    const rows = await tx.selectFrom('data_policies').select(['id', 'version', 'document']).orderBy('name').execute();
    return new DataPolicySet(rows.map(toDataPolicy), version);
  };
  if (db.isTransaction) return read(db);
  return (db as Db).transaction().setIsolationLevel('repeatable read').execute(read);
}

/**
 * The policy set a process decides with. It asks the store for the set's version at most once per refresh interval
 * and reloads when it moved; writes made in this process invalidate it at once. So a change made through any
 * replica is in force everywhere within the interval.
 */
export class DataPolicyCache {
  private current: DataPolicySet | undefined;
  private checkedAt = 0;
  private pending: Promise<DataPolicySet> | undefined;
  /** Bumped by invalidate(): a refresh that started before a write must not mark the set as fresh. */
  private generation = 0;

  constructor(
    private readonly db: Executor,
    private readonly refreshMs: number,
  ) {}

  invalidate(): void {
    this.checkedAt = 0;
    this.generation += 1;
  }

  async get(now = Date.now()): Promise<DataPolicySet> {
    if (this.current && now - this.checkedAt < this.refreshMs) return this.current;
    // One refresh at a time; concurrent requests wait for it rather than each asking the store.
    this.pending ??= this.refresh(now).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async refresh(now: number): Promise<DataPolicySet> {
    const generation = this.generation;
    const version = this.current ? await dataPolicySetVersion(this.db) : undefined;
    if (!this.current || version !== this.current.version) this.current = await loadDataPolicySet(this.db);
    if (generation === this.generation) this.checkedAt = now;
    return this.current;
  }
}
