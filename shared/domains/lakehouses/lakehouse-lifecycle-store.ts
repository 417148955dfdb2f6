import type { Insertable, Updateable } from 'kysely';
import type { Executor, LakehouseActivityTable, LakehouseRow, LakehousesTable } from '../../db/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A lakehouse's row and its activity as the domain reads and moves them: its lifecycle (lakehouse-lifecycle.ts), its
 * workload's reports (lakehouse-status.ts) and the statements that run on it (lakehouse-access.ts). The lakehouses
 * function's own reads and writes (definitions, listings) are its store's.
 */
export interface LakehouseLifecycleStore {
  find(id: string): Promise<LakehouseRow | undefined>;
  /** The lakehouse, locked for the rest of the transaction. */
  lock(id: string): Promise<LakehouseRow | undefined>;
  /** By id or by name (a reference that is not a UUID is only a name). */
  findByRef(ref: string): Promise<LakehouseRow | undefined>;
  /** The lakehouse after the change. */
  update(id: string, change: Updateable<LakehousesTable>): Promise<LakehouseRow>;
  addActivity(entry: Insertable<LakehouseActivityTable>): Promise<void>;
  /** The warehouses' names, in order: the catalogs a lakehouse serves. */
  warehouses(): Promise<string[]>;
  /** Where the workload of this start (generation) logs, unless a later start replaced it. */
  setLogLocation(id: string, generation: number, logLocation: string): Promise<void>;
  /** A failed start's workload is gone: no workload, no endpoints. */
  forgetWorkload(id: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** Something happened on it now (auto-stop counts from here). */
  touch(id: string): Promise<void>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function lakehouseLifecycleStore(db: Executor): LakehouseLifecycleStore {
  const byId = (id: string) => db.selectFrom('lakehouses').selectAll().where('id', '=', id);
  return {
    find: (id) => byId(id).executeTakeFirst(),
    lock: (id) => byId(id).forUpdate().executeTakeFirst(),

    findByRef: (ref) =>
      db
        .selectFrom('lakehouses')
        .selectAll()
        .where((eb) => (UUID.test(ref) ? eb.or([eb('id', '=', ref), eb('name', '=', ref)]) : eb('name', '=', ref)))
        .executeTakeFirst(),

    update: (id, change) => db.updateTable('lakehouses').set(change).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

    async addActivity(entry) {
      await db.insertInto('lakehouse_activity').values(entry).execute();
    },

    async warehouses() {
      return (await db.selectFrom('warehouses').select('name').orderBy('name').execute()).map((w) => w.name);
    },

    async setLogLocation(id, generation, logLocation) {
      await db.updateTable('lakehouses').set({ log_location: logLocation }).where('id', '=', id).where('generation', '=', generation).execute();
    },

    async forgetWorkload(id) {
      await db.updateTable('lakehouses').set({ workload_name: null, endpoints: null }).where('id', '=', id).execute();
    },

    async delete(id) {
      await db.deleteFrom('lakehouses').where('id', '=', id).execute();
    },

    async touch(id) {
      await db.updateTable('lakehouses').set({ last_activity_at: new Date() }).where('id', '=', id).execute();
    },
  };
}
