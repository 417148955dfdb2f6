import { randomUUID } from 'node:crypto';
import { json, noContent } from '../../../shared/http/index.js';
import { stringifyJsonLossless } from '../../../shared/json/index.js';
import { accessesForCommit } from '../domain/commit-access.js';
import { catalogResource, parseNamespace, validateLevels, validateName } from '../domain/identifiers.js';
import { mutate, mutateInSteps } from '../handlers/idempotency.js';
import { runPurge } from '../handlers/purge-tasks.js';
import { metadataCacheOf, tableKey } from '../handlers/metadata-cache.js';
import { commitResult, loadTableResult, withClientStorage } from '../handlers/table-files.js';
import { tableClientStorage } from '../handlers/table-storage-access.js';
import { forgetSignableTables, signTableRequest } from '../handlers/table-signing.js';
import { commitTables } from '../handlers/table-commit.js';
import { createTable, dropObject, listObjects, registerTable, renameObject, requireTableExists, unregisterTable } from '../handlers/tables.js';
import { pathIfInside, warehousePath } from '../storage/warehouse-paths.js';
import { objectStoreFor, type ClientStorage } from '../storage/warehouse-storage.js';
import type { Principal } from '../../../shared/auth/index.js';
import type { IncomingHttpHeaders } from 'node:http';
import { RawJson } from '../../../shared/json/index.js';
import type { Reply } from '../../../shared/http/index.js';
import { NotFoundError } from '../../../shared/errors/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { missing, requireObject } from '../store/catalog-objects.js';
import { findTableForRead } from '../store/table-read-batch.js';
import { requireWarehouse, toWarehouseSummary, type WarehouseSummary } from '../store/warehouses.js';
import {
  CommitTableRequest,
  CommitTransactionRequest,
  CreateTableRequest,
  DropTableQuery,
  ListQuery,
  LoadTableQuery,
  NamespaceParams,
  PrefixParams,
  RegisterTableRequest,
  RenameTableRequest,
  ReportMetricsRequest,
  S3SignRequest,
  S3SignResponse,
  TableParams,
} from '../schemas/iceberg-requests.js';
import { ICEBERG_RESPONSE, actorOf, icebergRoute } from './iceberg-route.js';

/**
 * Old metadata files a commit let go of; best effort, after the commit, as Iceberg's own catalogs do. The metadata
 * log can come from a registered file, so each one is checked like any client-named location and skipped if it is
 * not inside the warehouse.
 */
async function deleteMetadataFiles(platform: Platform, prefix: string, files: string[]): Promise<void> {
  const warehouse = toWarehouseSummary(await requireWarehouse(platform.store.db, prefix));
  const store = await objectStoreFor(warehouse);
  for (const f of files) {
    const checked = pathIfInside(warehouse, f);
    if (!checked) {
      platform.logger.warn({ file: f }, 'an old metadata file outside the warehouse was not deleted');
      continue;
    }
    await store.deleteObject(checked).catch((err: unknown) => platform.logger.warn({ err, file: f }, 'could not delete an old metadata file'));
  }
}

interface StorageCtx {
  platform: Platform;
  headers: IncomingHttpHeaders;
  requirePrincipal(): Principal;
}

/** The storage answer of this request for a table whose metadata text is at hand. */
function storageFor(ctx: StorageCtx, warehouse: WarehouseSummary, prefix: string, namespace: readonly string[], name: string, metadataText: string): Promise<ClientStorage> {
  return tableClientStorage(ctx.platform, {
    warehouse,
    table: { prefix, namespace, name, metadataText },
    principal: ctx.requirePrincipal(),
    delegation: ctx.headers['x-iceberg-access-delegation'],
  });
}

/** createTable's and registerTable's answer, stored without secrets, with this request's storage answer put in. */
async function withStorage(ctx: StorageCtx, reply: Reply, prefix: string, namespace: readonly string[], name: string): Promise<Reply> {
  if (reply.status !== 200 || !(reply.body instanceof RawJson)) return reply;
  const { metadata } = JSON.parse(reply.body.text) as { metadata: unknown };
  const warehouse = toWarehouseSummary(await requireWarehouse(ctx.platform.store.db, prefix));
  const storage = await storageFor(ctx, warehouse, prefix, namespace, name, JSON.stringify(metadata));
  return { ...reply, body: withClientStorage(reply.body, storage) };
}

export const tableRoutes = [
  icebergRoute({
    method: 'GET', path: '/v1/:prefix/namespaces/:namespace/tables', operationId: 'iceberg.listTables', params: NamespaceParams, query: ListQuery,
    summary: 'List the tables of a namespace.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      await ctx.platform.authorizer.authorize(principal, 'catalog:table:list', catalogResource(ctx.params.prefix, levels));
      const page = await listObjects(ctx.platform.store.db, 'table', ctx.params.prefix, levels, ctx.query.pageToken, ctx.query.pageSize);
      // Only what the caller may see; a page may come back shorter than asked (the spec allows it).
      const visible = await ctx.platform.authorizer.visible(principal, page.identifiers.map((id) => catalogResource(ctx.params.prefix, id.namespace, id.name)));
      return json(200, { ...page, identifiers: page.identifiers.filter((_, i) => visible[i]) });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/tables', operationId: 'iceberg.createTable', params: NamespaceParams, body: CreateTableRequest,
    summary: 'Create a table, or with stage-create start a create transaction.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      validateName(ctx.body.name, 'name');
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.body.name);
      await ctx.platform.authorizer.authorize(principal, 'catalog:table:create', ctx.auditResource);
      const reply = await mutate(ctx, `createTable ${ctx.auditResource}`, async (tx) => json(200, await createTable(tx, ctx.platform, ctx.params.prefix, levels, ctx.body, actorOf(principal))));
      return withStorage(ctx, reply, ctx.params.prefix, levels, ctx.body.name);
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/register', operationId: 'iceberg.registerTable', params: NamespaceParams, body: RegisterTableRequest,
    summary: 'Register a table from an existing metadata file in the warehouse.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      validateName(ctx.body.name, 'name');
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.body.name);
      await ctx.platform.authorizer.authorize(principal, 'catalog:table:register', ctx.auditResource);
      const reply = await mutate(ctx, `registerTable ${ctx.auditResource}`, async (tx) =>
        json(200, await registerTable(tx, ctx.platform, ctx.params.prefix, levels, ctx.body.name, ctx.body['metadata-location'], ctx.body.overwrite ?? false, actorOf(principal))),
      );
      return withStorage(ctx, reply, ctx.params.prefix, levels, ctx.body.name);
    },
  }),
  icebergRoute({
    method: 'GET', path: '/v1/:prefix/namespaces/:namespace/tables/:table', operationId: 'iceberg.loadTable', params: TableParams, query: LoadTableQuery,
    summary: 'Load a table: its metadata, its metadata location, and storage configuration. Answers 304 to a matching If-None-Match.',
    responses: { 200: ICEBERG_RESPONSE, 304: { description: 'Not modified' } },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:table:read', catalogResource(ctx.params.prefix, levels, ctx.params.table));
      const cache = metadataCacheOf(ctx.platform.store.db);
      const key = tableKey(ctx.params.prefix, levels, ctx.params.table);
      const known = cache.get(key);
      const row = await findTableForRead(ctx.platform.store.db, ctx.params.prefix, levels, ctx.params.table, known);
      if (!row || row.kind !== 'table') {
        // Which part is missing decides the exception a client sees.
        await requireObject(ctx.platform.store.db, 'table', ctx.params.prefix, levels, ctx.params.table);
        throw missing('table', levels, ctx.params.table);
      }
      const warehouse: WarehouseSummary = { id: row.warehouse_id, name: row.warehouse_name, storageLocation: row.storage_location, storage: row.storage, credentialsRef: row.credentials_ref, credentialVending: row.credential_vending, sts: row.sts, remoteSigning: row.remote_signing, properties: row.warehouse_properties };
      // The answer must match the metadata file; a table whose file is gone is broken, and clients are told so.
      const metadataFile = warehousePath(warehouse, row.metadata_location, { in: 'path', field: 'table', label: 'metadata location' });
      if (!(await (await objectStoreFor(warehouse)).exists(metadataFile))) throw new NotFoundError(`Failed to open input stream for file: ${row.metadata_location}`);
      // No text back means the row is still the one `known` was kept from.
      const entry = row.metadata === null ? known : cache.remember(key, { id: row.id, version: row.version, location: row.metadata_location }, row.metadata);
      if (!entry) throw new Error(`loadTable: no metadata for ${row.metadata_location}`);
      const etag = cache.etagFor(entry, ctx.query.snapshots);
      if (ctx.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
      const storage = await storageFor(ctx, warehouse, ctx.params.prefix, levels, ctx.params.table, entry.text);
      return json(200, loadTableResult({ metadataLocation: entry.location, metadataText: cache.metadataFor(entry, ctx.query.snapshots), storage }), { etag });
    },
  }),
  icebergRoute({
    method: 'HEAD', path: '/v1/:prefix/namespaces/:namespace/tables/:table', operationId: 'iceberg.tableExists', params: TableParams,
    summary: 'Whether a table exists: 204 or 404, no body.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:table:read', catalogResource(ctx.params.prefix, levels, ctx.params.table));
      await requireTableExists(ctx.platform.store.db, ctx.params.prefix, levels, ctx.params.table);
      return noContent();
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/tables/:table', operationId: 'iceberg.updateTable', params: TableParams, body: CommitTableRequest,
    summary: 'Commit updates to a table: requirements are checked against its current metadata (409 CommitFailed when one fails), updates applied, a new metadata file written.',
    responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.params.table);
      for (const access of accessesForCommit(ctx.body.updates)) await ctx.platform.authorizer.authorize(principal, `catalog:table:${access}`, ctx.auditResource);
      const change = { identifier: { namespace: levels, name: ctx.params.table }, requirements: ctx.body.requirements, updates: ctx.body.updates };
      let obsolete: string[] = [];
      // The new metadata file is written before the transaction; the transaction only swaps the pointer.
      const reply = await mutateInSteps(ctx, `updateTable ${ctx.auditResource}`, (transact) =>
        commitTables(ctx.platform, ctx.params.prefix, [change], actorOf(principal), (swap, oneStatement) =>
          (oneStatement ? transact.oneStatement : transact)(async (db) => {
            const [result] = await swap(db);
            obsolete = result!.obsoleteMetadataFiles;
            return json(200, commitResult(result!.metadataLocation, result!.metadataText));
          }),
        ),
      );
      // A commit can move the table's files (location, write.data.path): the signer reads it again.
      forgetSignableTables(ctx.platform, ctx.params.prefix, [{ namespace: levels, name: ctx.params.table }]);
      if (obsolete.length > 0) await deleteMetadataFiles(ctx.platform, ctx.params.prefix, obsolete);
      return reply;
    },
  }),
  icebergRoute({
    method: 'DELETE', path: '/v1/:prefix/namespaces/:namespace/tables/:table', operationId: 'iceberg.dropTable', params: TableParams, query: DropTableQuery,
    summary: 'Drop a table; purgeRequested=true also deletes its data and metadata files.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      const purge = ctx.query.purgeRequested?.toLowerCase() === 'true';
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.params.table);
      await ctx.platform.authorizer.authorize(principal, purge ? 'catalog:table:purge' : 'catalog:table:drop', ctx.auditResource);
      let purgeTask: string | undefined;
      const reply = await mutate(ctx, `dropTable ${ctx.auditResource} purge=${purge}`, async (tx) => {
        purgeTask = await dropObject(tx, ctx.platform, 'table', ctx.params.prefix, levels, ctx.params.table, purge, actorOf(principal));
        return noContent();
      });
      forgetSignableTables(ctx.platform, ctx.params.prefix, [{ namespace: levels, name: ctx.params.table }]);
      // Files go only after the drop committed: a failed drop must leave a whole table behind. A purge that fails
      // now is retried by the sweeper; the drop itself is done either way.
      if (purgeTask) await runPurge(ctx.platform, purgeTask);
      return reply;
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/tables/:table/unregister', operationId: 'iceberg.unregisterTable', params: TableParams,
    summary: 'Forget a table without touching its files; answers its last metadata.', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, levels, ctx.params.table);
      await ctx.platform.authorizer.authorize(principal, 'catalog:table:drop', ctx.auditResource);
      const reply = await mutate(ctx, `unregisterTable ${ctx.auditResource}`, async (tx) => {
        const last = await unregisterTable(tx, ctx.platform, ctx.params.prefix, levels, ctx.params.table, actorOf(principal));
        return json(200, commitResult(last.location, last.text));
      });
      forgetSignableTables(ctx.platform, ctx.params.prefix, [{ namespace: levels, name: ctx.params.table }]);
      return reply;
    },
  }),
  icebergRoute({
    method: 'GET', path: '/v1/:prefix/namespaces/:namespace/tables/:table/credentials', operationId: 'iceberg.loadCredentials', params: TableParams,
    summary: 'Storage credentials for the table\'s files (empty unless its warehouse vends credentials).', responses: { 200: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:table:read', catalogResource(ctx.params.prefix, levels, ctx.params.table));
      const { warehouse, object } = await requireObject(ctx.platform.store.db, 'table', ctx.params.prefix, levels, ctx.params.table);
      const storage = await storageFor(ctx, toWarehouseSummary(warehouse), ctx.params.prefix, levels, ctx.params.table, object.metadata);
      return json(200, { 'storage-credentials': storage.credentials });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/tables/:table/sign', operationId: 'iceberg.signRequest', params: TableParams, body: S3SignRequest,
    summary:
      "The spec's signRequest for one table (loadTable's s3.signer.endpoint under remote signing; S3 only): signs the request with the warehouse's keys only when its bucket and key lie inside the table's location and its method fits the caller's access, decided again for every request (GET/HEAD to read; PUT/POST/DELETE to write). 403 otherwise, and for callers whose reads are row-filtered or masked.",
    responses: {
      200: { description: 'The headers to add to the request (authorization, x-amz-date, x-amz-content-sha256, a session token), and its uri. Never cached by clients (Cache-Control: no-cache).', schema: S3SignResponse },
      400: { description: 'A malformed request: traversal segments, bad percent-encoding, a body that does not match its hash.' },
      403: { description: 'Outside the table, beyond the caller\'s access, a subresource never signed, or a warehouse that does not sign.' },
    },
    // One request per S3 call: auditing each would drown the trail (refusals are answered and logged as errors are).
    audit: false,
    // It changes nothing (no event to deliver), and its body holds no number (no lossless second parse): both
    // would be paid on every S3 request a client makes.
    readOnly: true,
    jsonNumbers: 'native',
    // A read-only catalog token signs reads too; writes it never signs (its scope caps the access decided per request).
    scope: 'catalog:read',
    handler: async (ctx) => {
      const table = { prefix: ctx.params.prefix, namespace: parseNamespace(ctx.params.namespace), name: ctx.params.table };
      const signed = await signTableRequest(ctx.platform, ctx.requirePrincipal(), table, ctx.body);
      return json(200, signed, { 'cache-control': 'no-cache' });
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/namespaces/:namespace/tables/:table/metrics', operationId: 'iceberg.reportMetrics', params: TableParams, body: ReportMetricsRequest,
    summary: 'Accept a scan or commit metrics report; it is stored with the table.', responses: { 204: ICEBERG_RESPONSE },
    audit: false,
    // Clients report after every scan: a read-only catalog token sends them too.
    scope: 'catalog:read',
    handler: async (ctx) => {
      const levels = parseNamespace(ctx.params.namespace);
      await ctx.platform.authorizer.authorize(ctx.requirePrincipal(), 'catalog:table:read', catalogResource(ctx.params.prefix, levels, ctx.params.table));
      const db = ctx.platform.store.db;
      const { object } = await requireObject(db, 'table', ctx.params.prefix, levels, ctx.params.table);
      await db
        .insertInto('catalog_metrics_reports')
        .values({ id: randomUUID(), object_id: object.id, report_type: ctx.body['report-type'], snapshot_id: String(ctx.body['snapshot-id']), report: stringifyJsonLossless(ctx.body) })
        .execute();
      return noContent();
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/tables/rename', operationId: 'iceberg.renameTable', params: PrefixParams, body: RenameTableRequest,
    summary: 'Rename a table, or move it to another namespace of the warehouse.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const { source, destination } = ctx.body;
      validateLevels(destination.namespace, 'destination.namespace');
      validateName(destination.name, 'destination.name');
      const principal = ctx.requirePrincipal();
      ctx.auditResource = catalogResource(ctx.params.prefix, source.namespace, source.name);
      await ctx.platform.authorizer.authorize(principal, 'catalog:table:rename', ctx.auditResource);
      await ctx.platform.authorizer.authorize(principal, 'catalog:table:create', catalogResource(ctx.params.prefix, destination.namespace, destination.name));
      const reply = await mutate(ctx, `renameTable ${ctx.auditResource}`, async (tx) => {
        await renameObject(tx, ctx.platform, 'table', ctx.params.prefix, source, destination, actorOf(principal));
        return noContent();
      });
      forgetSignableTables(ctx.platform, ctx.params.prefix, [source, destination]);
      return reply;
    },
  }),
  icebergRoute({
    method: 'POST', path: '/v1/:prefix/transactions/commit', operationId: 'iceberg.commitTransaction', params: PrefixParams, body: CommitTransactionRequest,
    summary: 'Commit changes to several tables atomically: all land or none does.', responses: { 204: ICEBERG_RESPONSE },
    handler: async (ctx) => {
      const principal = ctx.requirePrincipal();
      await requireWarehouse(ctx.platform.store.db, ctx.params.prefix);
      const changes = ctx.body['table-changes'];
      for (const c of changes) {
        for (const access of accessesForCommit(c.updates)) await ctx.platform.authorizer.authorize(principal, `catalog:table:${access}`, catalogResource(ctx.params.prefix, c.identifier.namespace, c.identifier.name));
      }
      ctx.auditResource = `${catalogResource(ctx.params.prefix)}/transactions`;
      ctx.auditDetail = changes.map((c) => `${c.identifier.namespace.join('.')}.${c.identifier.name}`).join(', ');
      let obsolete: string[] = [];
      const reply = await mutateInSteps(ctx, `commitTransaction ${ctx.auditResource}`, (transact) =>
        commitTables(ctx.platform, ctx.params.prefix, changes, actorOf(principal), (swap, oneStatement) =>
          (oneStatement ? transact.oneStatement : transact)(async (db) => {
            obsolete = (await swap(db)).flatMap((r) => r.obsoleteMetadataFiles);
            return noContent();
          }),
        ),
      );
      forgetSignableTables(ctx.platform, ctx.params.prefix, changes.map((c) => c.identifier));
      if (obsolete.length > 0) await deleteMetadataFiles(ctx.platform, ctx.params.prefix, obsolete);
      return reply;
    },
  }),
];
