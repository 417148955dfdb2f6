import type { Executor } from '../../../../shared/db/index.js';
import type { ReplayedTo, Reply, RequestContext } from '../../../../shared/http/index.js';
import { RawJson } from '../../../../shared/json/index.js';
import { namespaceOf } from '../../domain/identifiers.js';
import type { ClientStorage } from '../../storage/warehouse-storage.js';
import { requireWarehouse, toWarehouseSummary, type WarehouseSummary } from '../../store/warehouses.js';
import { withClientStorage } from '../table-files.js';
import { tableClientStorage, type TableFiles } from '../table-storage-access.js';

/** What a storage answer needs of a request: its caller and its X-Iceberg-Access-Delegation header. */
export type StorageRequest = Pick<RequestContext<unknown, unknown, unknown>, 'platform' | 'headers' | 'requirePrincipal'>;

/** The storage answer of this request for a table whose metadata text is at hand (table-storage-access.ts). */
export function storageFor(ctx: StorageRequest, warehouse: WarehouseSummary, table: TableFiles): Promise<ClientStorage> {
  return tableClientStorage(ctx.platform, { warehouse, table, principal: ctx.requirePrincipal(), delegation: ctx.headers['x-iceberg-access-delegation'] });
}

/**
 * createTable's and registerTable's answer, as kept for replays (without secrets), with this request's storage
 * answer put in: credentials are made per request, after the transaction, never inside it.
 */
export async function withStorage(ctx: StorageRequest, reply: Reply, table: Omit<TableFiles, 'metadataText'>): Promise<Reply> {
  if (reply.status !== 200 || !(reply.body instanceof RawJson)) return reply;
  const { metadata } = JSON.parse(reply.body.text) as { metadata: unknown };
  const warehouse = toWarehouseSummary(await requireWarehouse(ctx.platform.store.db, table.prefix));
  const storage = await storageFor(ctx, warehouse, { ...table, metadataText: JSON.stringify(metadata) });
  return { ...reply, body: withClientStorage(reply.body, storage) };
}

interface NewTableInput {
  params: { prefix: string; namespace: string };
  body: { name: string };
}

/** A replayed createTable or registerTable: the kept answer, with the storage answer of the request it is replayed to. */
export function storageOnReplay(stored: Reply, _db: Executor, { input, context }: ReplayedTo<NewTableInput>): Promise<Reply> {
  return withStorage(context, stored, { prefix: input.params.prefix, namespace: namespaceOf(input.params), name: input.body.name });
}
