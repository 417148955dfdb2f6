import { sql } from 'kysely';
import type { DataPolicyRow, Db, Executor } from '../../../shared/db/index.js';

export interface PolicyState {
  policyVersion: number;
  policyUpdateTime: number;
  roleVersion: number;
  roleUpdateTime: number;
}

/** A tagged table or view, or (with `column`) a tagged column, with its tags and their attributes. */
export interface TaggedResource {
  warehouse: string;
  levels: string[];
  name: string;
  column?: string;
  tags: string[];
  tag_attributes: Record<string, Record<string, string>>;
}

/** What Ranger's plugins download: the policy set at its version, the platform's admins, the catalog's tags. */
export interface RangerStore {
  state(): Promise<PolicyState>;
  /** The set's state and every policy by Ranger id, read in one snapshot; undefined when the set is at `unlessVersion`. */
  policies(unlessVersion: number): Promise<{ state: PolicyState; rows: DataPolicyRow[] } | undefined>;
  /** The active admins' usernames, in order. */
  admins(): Promise<string[]>;
  /** Tagged tables and views, then tagged columns, each in catalog order; of one warehouse, or all. */
  tagged(warehouse: string | undefined): Promise<TaggedResource[]>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function rangerStore(db: Executor): RangerStore {
  const state = async (on: Executor): Promise<PolicyState> => {
    const s = await on
      .selectFrom('policy_state')
      .select(['data_policy_version', 'updated_at', 'role_version', 'roles_updated_at'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return {
      policyVersion: Number(s.data_policy_version),
      policyUpdateTime: s.updated_at.getTime(),
      roleVersion: Number(s.role_version),
      roleUpdateTime: s.roles_updated_at.getTime(),
    };
  };
  return {
    state: () => state(db),
    async policies(unlessVersion) {
      const read = async (tx: Executor) => {
        const current = await state(tx);
        if (unlessVersion === current.policyVersion) return undefined;
        return { state: current, rows: await tx.selectFrom('data_policies').selectAll().orderBy('ranger_id').execute() };
      };
      if (db.isTransaction) return read(db);
      return (db as Db).transaction().setIsolationLevel('repeatable read').execute(read);
    },
    async admins() {
      return (await db.selectFrom('users').select('username').where('is_admin', '=', true).where('active', '=', true).orderBy('username').execute()).map(
        (a) => a.username,
      );
    },
    async tagged(warehouse) {
      let objects = db
        .selectFrom('catalog_objects as o')
        .innerJoin('namespaces as n', 'n.id', 'o.namespace_id')
        .innerJoin('warehouses as w', 'w.id', 'o.warehouse_id')
        .select(['o.id', 'w.name as warehouse', 'n.levels', 'o.name', 'o.tags', 'o.tag_attributes'])
        .where(sql<boolean>`cardinality(o.tags) > 0`);
      let columns = db
        .selectFrom('catalog_column_annotations as a')
        .innerJoin('catalog_columns as c', (j) => j.onRef('c.object_id', '=', 'a.object_id').onRef('c.field_id', '=', 'a.field_id'))
        .innerJoin('catalog_objects as o', 'o.id', 'a.object_id')
        .innerJoin('namespaces as n', 'n.id', 'o.namespace_id')
        .innerJoin('warehouses as w', 'w.id', 'o.warehouse_id')
        .select(['w.name as warehouse', 'n.levels', 'o.name', 'c.path as column', 'a.tags', 'a.tag_attributes'])
        .where(sql<boolean>`cardinality(a.tags) > 0`);
      if (warehouse !== undefined) {
        objects = objects.where('w.name', '=', warehouse);
        columns = columns.where('w.name', '=', warehouse);
      }
      return [
        ...(await objects.orderBy('w.name').orderBy('n.levels').orderBy('o.name').execute()),
        ...(await columns.orderBy('w.name').orderBy('n.levels').orderBy('o.name').orderBy('c.path').execute()),
      ];
    },
  };
}
