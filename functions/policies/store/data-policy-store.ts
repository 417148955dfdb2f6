import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { withDatabaseErrors, type DataPolicyHistoryRow, type DataPolicyRow, type Executor } from '../../../shared/db/index.js';
import { decodeCursor, encodeCursor } from '../../../shared/http/index.js';
import { dataPolicySetVersion, type DataPolicyInput } from '../../../shared/policy/index.js';

export type PolicyChange = 'create' | 'update' | 'delete';

export interface DataPolicyPage {
  rows: DataPolicyRow[];
  nextPageToken: string | null;
  policySetVersion: number;
}

/** Which stored policy a Ranger client names: by its Ranger id, its guid (our id) or its name. */
export interface PolicyKey {
  rangerId?: number;
  guid?: string;
  name?: string;
}

/**
 * The data access policies as stored: each policy's row (its document, as given), the version of the whole set
 * (policy_state), and every version of every policy (data_policy_history). Names are unique: a clash is a
 * ConflictError.
 */
export interface DataPolicyStore {
  find(id: string): Promise<DataPolicyRow | undefined>;
  findBy(key: PolicyKey): Promise<DataPolicyRow | undefined>;
  list(filter: { type?: DataPolicyRow['type']; name?: string; label?: string; pageSize?: number; pageToken?: string }): Promise<DataPolicyPage>;
  /** Every policy by Ranger id, or those of one name. */
  all(name?: string): Promise<DataPolicyRow[]>;
  create(input: DataPolicyInput, actor: string): Promise<DataPolicyRow>;
  /** The policy as it is, locked for the rest of the transaction. */
  lock(id: string): Promise<DataPolicyRow | undefined>;
  replace(id: string, input: DataPolicyInput, version: number, actor: string): Promise<DataPolicyRow>;
  delete(id: string): Promise<void>;
  /** Bumps the set's version (its row lock also queues concurrent policy writes) and answers the new one. */
  bumpSetVersion(): Promise<number>;
  recordHistory(row: DataPolicyRow, change: PolicyChange, setVersion: number, actor: string): Promise<void>;
  /** Every version of a policy, newest first. */
  history(id: string): Promise<DataPolicyHistoryRow[]>;
  /** The first warehouse by name: the hive service a storage-path policy is shown in when no service is named. */
  firstWarehouse(): Promise<string | undefined>;
}

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The PostgreSQL store (PGlite runs the same SQL). */
export function dataPolicyStore(db: Executor): DataPolicyStore {
  return {
    async find(id) {
      return db.selectFrom('data_policies').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async findBy({ rangerId, guid, name }) {
      let q = db.selectFrom('data_policies').selectAll();
      if (rangerId !== undefined) q = q.where('ranger_id', '=', String(rangerId));
      if (guid !== undefined) q = q.where('id', '=', guid);
      if (name !== undefined) q = q.where('name', '=', name);
      return q.executeTakeFirst();
    },
    async list({ type, name, label, pageSize, pageToken }) {
      const size = pageSize ?? 100;
      const cursor = decodeCursor(pageToken);
      let q = db.selectFrom('data_policies').selectAll();
      if (type) q = q.where('type', '=', type);
      if (name) q = q.where(sql`lower(name)`, 'like', likePattern(name));
      if (label) q = q.where(sql`document -> 'labels'`, '@>', JSON.stringify([label]));
      if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = await q
        .orderBy('created_at')
        .orderBy('id')
        .limit(size + 1)
        .execute();
      const page = rows.slice(0, size);
      const last = page[page.length - 1];
      return {
        rows: page,
        nextPageToken: rows.length > size && last ? encodeCursor(last.created_at, last.id) : null,
        policySetVersion: await dataPolicySetVersion(db),
      };
    },
    async all(name) {
      let q = db.selectFrom('data_policies').selectAll().orderBy('ranger_id');
      if (name) q = q.where('name', '=', name);
      return q.execute();
    },
    async create(input, actor) {
      return withDatabaseErrors(`data policy "${input.name}"`, () =>
        db
          .insertInto('data_policies')
          .values({
            id: randomUUID(),
            name: input.name,
            type: input.type,
            enabled: input.enabled,
            document: JSON.stringify(input),
            created_by: actor,
            updated_by: actor,
            updated_at: new Date(),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
    },
    async lock(id) {
      return db.selectFrom('data_policies').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    },
    async replace(id, input, version, actor) {
      return withDatabaseErrors(`data policy "${input.name}"`, () =>
        db
          .updateTable('data_policies')
          .set({
            name: input.name,
            type: input.type,
            enabled: input.enabled,
            document: JSON.stringify(input),
            version,
            updated_at: new Date(),
            updated_by: actor,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
    },
    async delete(id) {
      await db.deleteFrom('data_policies').where('id', '=', id).execute();
    },
    async bumpSetVersion() {
      const state = await db
        .updateTable('policy_state')
        .set({ data_policy_version: sql`data_policy_version + 1`, updated_at: new Date() })
        .where('id', '=', 1)
        .returning('data_policy_version')
        .executeTakeFirstOrThrow();
      return Number(state.data_policy_version);
    },
    async recordHistory(row, change, setVersion, actor) {
      await db
        .insertInto('data_policy_history')
        .values({ policy_id: row.id, version: row.version, change, document: JSON.stringify(row.document), set_version: String(setVersion), changed_by: actor })
        .execute();
    },
    async history(id) {
      return db.selectFrom('data_policy_history').selectAll().where('policy_id', '=', id).orderBy('version', 'desc').execute();
    },
    async firstWarehouse() {
      return (await db.selectFrom('warehouses').select('name').orderBy('name').executeTakeFirst())?.name;
    },
  };
}
