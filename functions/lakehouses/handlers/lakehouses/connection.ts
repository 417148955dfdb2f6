import { ConflictError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import { defaultCatalogOf, edgeAddressOf, endpointsOf, specOf } from '../../../../shared/domains/lakehouses/index.js';
import { connectionSnippets } from '../../domain/connection-snippets.js';
import type { LakehouseParams } from '../../schemas.js';
import { lakehouseStore } from '../../store/lakehouse-store.js';
import { lakehouseNamed } from './access.js';

/** How to connect to a running lakehouse as yourself; 409 while it does not run. */
export const lakehouseConnection: Handler<{ params: typeof LakehouseParams }> = async (ctx) => {
  const row = await lakehouseNamed(ctx, ctx.db);
  const endpoints = endpointsOf(row);
  if (row.state !== 'RUNNING' || !endpoints)
    throw new ConflictError(`lakehouse ${row.name} is ${row.state}: its endpoints exist while it runs (POST /api/v1/lakehouses/${row.id}/start)`);
  const catalogs = await lakehouseStore(ctx.db).warehouses();
  const defaultCatalog = defaultCatalogOf(specOf(row), catalogs) ?? null;
  const user = ctx.requirePrincipal().name;
  const c = connectionSnippets({
    lakehouse: row.name,
    user,
    hiveServer2: endpoints.hiveServer2,
    sparkConnect: endpoints.sparkConnect,
    defaultCatalog: defaultCatalog ?? undefined,
    schema: 'default',
    edge: ctx.platform.config.LAKEPLANE_PUBLIC_URL ? edgeAddressOf(ctx.platform.config.LAKEPLANE_PUBLIC_URL) : undefined,
  });
  return json(200, {
    lakehouse: row.name,
    state: row.state,
    user,
    hiveServer2: endpoints.hiveServer2,
    sparkConnect: endpoints.sparkConnect,
    defaultCatalog,
    catalogs,
    ...c,
  });
};
