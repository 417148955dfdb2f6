import { resourceText } from '../../../shared/policy/index.js';
import { catalogIdempotency } from '../handlers/idempotency.js';
import { dropObject, purgeRequested } from '../handlers/objects/drop.js';
import { objectExists } from '../handlers/objects/exists.js';
import { listObjects } from '../handlers/objects/list.js';
import { renameObject } from '../handlers/objects/rename.js';
import { commitTransaction, recordTablesOnReplay, transactionsOf } from '../handlers/tables/commit-transaction.js';
import { createTable } from '../handlers/tables/create.js';
import { loadCredentials } from '../handlers/tables/credentials.js';
import { loadTable } from '../handlers/tables/load.js';
import { registerTable } from '../handlers/tables/register.js';
import { reportMetrics } from '../handlers/tables/report-metrics.js';
import { signRequest } from '../handlers/tables/sign.js';
import { storageOnReplay } from '../handlers/tables/storage.js';
import { unregisterTable } from '../handlers/tables/unregister.js';
import { updateTable } from '../handlers/tables/update.js';
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
import { ICEBERG_RESPONSE, icebergRoute } from './iceberg-route.js';
import {
  commitChecks,
  namespaceResource,
  newObjectResource,
  renameChecks,
  renamedText,
  tableResource,
  transactionChecks,
  type Input,
  type NewObjectInput,
  type RenameInput,
  type TableInput,
} from './iceberg-resources.js';

export const tableRoutes = [
  icebergRoute({
    method: 'GET',
    path: '/v1/:prefix/namespaces/:namespace/tables',
    operationId: 'iceberg.listTables',
    params: NamespaceParams,
    query: ListQuery,
    summary: 'List the tables of a namespace.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:table:list', resource: namespaceResource },
    handler: listObjects('table'),
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/tables',
    operationId: 'iceberg.createTable',
    params: NamespaceParams,
    body: CreateTableRequest,
    summary: 'Create a table, or with stage-create start a create transaction.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:table:create', resource: newObjectResource },
    // The answer kept for a retry holds no credential: this request's storage answer goes in after the transaction.
    mutates: 'in-steps',
    idempotency: { ...catalogIdempotency((input: NewObjectInput) => `createTable ${resourceText(newObjectResource(input))}`), replay: storageOnReplay },
    handler: createTable,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/register',
    operationId: 'iceberg.registerTable',
    params: NamespaceParams,
    body: RegisterTableRequest,
    summary: 'Register a table from an existing metadata file in the warehouse.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:table:register', resource: newObjectResource },
    mutates: 'in-steps',
    idempotency: { ...catalogIdempotency((input: NewObjectInput) => `registerTable ${resourceText(newObjectResource(input))}`), replay: storageOnReplay },
    handler: registerTable,
  }),
  icebergRoute({
    method: 'GET',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table',
    operationId: 'iceberg.loadTable',
    params: TableParams,
    query: LoadTableQuery,
    summary: 'Load a table: its metadata, its metadata location, and storage configuration. Answers 304 to a matching If-None-Match.',
    responses: { 200: ICEBERG_RESPONSE, 304: { description: 'Not modified' } },
    authorization: { action: 'catalog:table:read', resource: tableResource },
    handler: loadTable,
  }),
  icebergRoute({
    method: 'HEAD',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table',
    operationId: 'iceberg.tableExists',
    params: TableParams,
    summary: 'Whether a table exists: 204 or 404, no body.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:table:read', resource: tableResource },
    handler: objectExists('table'),
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table',
    operationId: 'iceberg.updateTable',
    params: TableParams,
    body: CommitTableRequest,
    summary:
      'Commit updates to a table: requirements are checked against its current metadata (409 CommitFailed when one fails), updates applied, a new metadata file written.',
    responses: { 200: ICEBERG_RESPONSE },
    // The write access a commit needs follows from what it changes (domain/commit-access.ts).
    authorization: { checks: commitChecks },
    // The new metadata file is written before the transaction, which only swaps the pointer (again after a lost race).
    mutates: 'in-steps',
    idempotency: catalogIdempotency((input: TableInput) => `updateTable ${resourceText(tableResource(input))}`),
    handler: updateTable,
  }),
  icebergRoute({
    method: 'DELETE',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table',
    operationId: 'iceberg.dropTable',
    params: TableParams,
    query: DropTableQuery,
    summary: 'Drop a table; purgeRequested=true also deletes its data and metadata files.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: {
      checks: (input) => [{ action: purgeRequested(input.query) ? 'catalog:table:purge' : 'catalog:table:drop', resource: tableResource(input) }],
    },
    idempotency: catalogIdempotency(
      (input: TableInput<{ purgeRequested?: string }>) => `dropTable ${resourceText(tableResource(input))} purge=${purgeRequested(input.query)}`,
    ),
    handler: dropObject('table'),
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table/unregister',
    operationId: 'iceberg.unregisterTable',
    params: TableParams,
    summary: 'Forget a table without touching its files; answers its last metadata.',
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:table:drop', resource: tableResource },
    idempotency: catalogIdempotency((input: TableInput) => `unregisterTable ${resourceText(tableResource(input))}`),
    handler: unregisterTable,
  }),
  icebergRoute({
    method: 'GET',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table/credentials',
    operationId: 'iceberg.loadCredentials',
    params: TableParams,
    summary: "Storage credentials for the table's files (empty unless its warehouse vends credentials).",
    responses: { 200: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:table:read', resource: tableResource },
    handler: loadCredentials,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table/sign',
    operationId: 'iceberg.signRequest',
    params: TableParams,
    body: S3SignRequest,
    summary:
      "The spec's signRequest for one table (loadTable's s3.signer.endpoint under remote signing; S3 only): signs the request with the warehouse's keys only when its bucket and key lie inside the table's location and its method fits the caller's access, decided again for every request (GET/HEAD to read; PUT/POST/DELETE to write). 403 otherwise, and for callers whose reads are row-filtered or masked.",
    responses: {
      200: {
        description:
          'The headers to add to the request (authorization, x-amz-date, x-amz-content-sha256, a session token), and its uri. Never cached by clients (Cache-Control: no-cache).',
        schema: S3SignResponse,
      },
      400: { description: 'A malformed request: traversal segments, bad percent-encoding, a body that does not match its hash.' },
      403: { description: "Outside the table, beyond the caller's access, a subresource never signed, or a warehouse that does not sign." },
    },
    authorization: {
      anyCaller:
        'the access a signing needs follows from the S3 request in the body (read for GET/HEAD, write for PUT/POST/DELETE) and is met by any of several accesses; the signer decides it for every request, after checking the request lies inside the table (table-signing.ts)',
    },
    // One request per S3 call: auditing each would drown the trail (refusals are answered and logged as errors are).
    audit: false,
    // It changes nothing (no transaction, no event to deliver), and its body holds no number (no lossless second
    // parse): both would be paid on every S3 request a client makes.
    mutates: false,
    jsonNumbers: 'native',
    // A read-only catalog token signs reads too; writes it never signs (its scope caps the access decided per request).
    scope: 'catalog:read',
    handler: signRequest,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/namespaces/:namespace/tables/:table/metrics',
    operationId: 'iceberg.reportMetrics',
    params: TableParams,
    body: ReportMetricsRequest,
    summary: 'Accept a scan or commit metrics report; it is stored with the table.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { action: 'catalog:table:read', resource: tableResource },
    audit: false,
    // One statement, without a transaction around it (ctx.transact.oneStatement).
    mutates: 'in-steps',
    // Clients report after every scan: a read-only catalog token sends them too.
    scope: 'catalog:read',
    handler: reportMetrics,
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/tables/rename',
    operationId: 'iceberg.renameTable',
    params: PrefixParams,
    body: RenameTableRequest,
    summary: 'Rename a table, or move it to another namespace of the warehouse.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { checks: renameChecks('table') },
    idempotency: catalogIdempotency((input: RenameInput) => `renameTable ${renamedText(input)}`),
    handler: renameObject('table'),
  }),
  icebergRoute({
    method: 'POST',
    path: '/v1/:prefix/transactions/commit',
    operationId: 'iceberg.commitTransaction',
    params: PrefixParams,
    body: CommitTransactionRequest,
    summary: 'Commit changes to several tables atomically: all land or none does.',
    responses: { 204: ICEBERG_RESPONSE },
    authorization: { checks: transactionChecks },
    // Recorded as the transaction, its tables in the detail (also when replayed).
    auditResource: ({ params }) => transactionsOf(params.prefix),
    mutates: 'in-steps',
    idempotency: {
      ...catalogIdempotency(({ params }: Input<{ prefix: string }>) => `commitTransaction ${transactionsOf(params.prefix)}`),
      replay: recordTablesOnReplay,
    },
    handler: commitTransaction,
  }),
];
