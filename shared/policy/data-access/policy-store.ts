import type { DataPolicyRow, Db, Executor } from '../../db/index.js';
import { DataPolicySet } from './evaluator.js';
import type { DataPolicy, DataPolicyInput } from './policy-schema.js';
import { VersionWatcher } from '../version-watcher.js';

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
 * The policy set a process decides with: a change made through any replica is in force everywhere within the
 * refresh interval, one made in this process at once.
 */
export class DataPolicyCache {
  private readonly watcher: VersionWatcher<DataPolicySet>;

  constructor(db: Executor, refreshMs: number) {
    this.watcher = new VersionWatcher(
      refreshMs,
      () => dataPolicySetVersion(db),
      () => loadDataPolicySet(db),
    );
  }

  invalidate(): void {
    this.watcher.invalidate();
  }

  get(now = Date.now()): Promise<DataPolicySet> {
    return this.watcher.get(now);
  }
}
