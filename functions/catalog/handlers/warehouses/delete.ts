import { ConflictError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { WarehouseParams } from '../../schemas/warehouse-schemas.js';
import { requireWarehouse, warehouseStore } from '../../store/warehouses.js';

/** A warehouse goes only when empty; its files are never deleted by this (they may be shared or archived). */
export const deleteWarehouse: Handler<{ params: typeof WarehouseParams }> = async (ctx) => {
  const { name } = ctx.params;
  const store = warehouseStore(ctx.tx);
  const row = await requireWarehouse(ctx.tx, name);
  const ns = await store.anyNamespace(row.id);
  if (ns) throw new ConflictError(`warehouse ${name} is not empty: it still holds namespace ${ns.levels.join('.')}; drop its namespaces first`);
  const purge = await store.anyPurge(row.id);
  if (purge)
    throw new ConflictError(
      `warehouse ${name} still owes the purge of ${purge.object_name} (last error: ${purge.last_error ?? 'none yet'}); it is retried until its files are gone`,
    );
  await store.delete(row.id);
  return noContent();
};
