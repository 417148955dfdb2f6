import type { Executor } from '../../../shared/db/index.js';
import type { Check } from '../../../shared/http/index.js';
import { catalogObject, resourceText, type CatalogResource } from '../../../shared/policy/index.js';
import { accessesForCommit } from '../domain/commit-access.js';
import { namespaceOf, validateLevels, validateName } from '../domain/identifiers.js';
import type { ObjectKind } from '../store/catalog-objects.js';
import { requireWarehouse } from '../store/warehouses.js';

/**
 * What the Iceberg routes authorize: the warehouse of the prefix, a namespace in it, a table or view in that. The
 * input types are spelled out: an idempotency declaration's operation is typed by them (TypeScript does not infer
 * it from the route's schemas through catalogIdempotency).
 */
export interface Input<P, B = unknown, Q = unknown> {
  readonly params: P;
  readonly body: B;
  readonly query: Q;
}
export type NamespaceInput = Input<{ prefix: string; namespace: string }>;
export type TableInput<Q = unknown> = Input<{ prefix: string; namespace: string; table: string }, unknown, Q>;
export type ViewInput = Input<{ prefix: string; namespace: string; view: string }>;
export type NewObjectInput = Input<{ prefix: string; namespace: string }, { name: string }>;
export type NewNamespaceInput = Input<{ prefix: string }, { namespace: string[] }>;

/** A table or view as a body names it. */
interface Identifier {
  readonly namespace: readonly string[];
  readonly name: string;
}
type Updates = Parameters<typeof accessesForCommit>[0];

/** The namespace a createNamespace body names, its levels checked first (400 before 403). */
export const newNamespaceResource = ({ params, body }: NewNamespaceInput): CatalogResource => {
  validateLevels(body.namespace, 'namespace');
  return catalogObject(params.prefix, body.namespace);
};

export const namespaceResource = ({ params }: NamespaceInput): CatalogResource => catalogObject(params.prefix, namespaceOf(params));

export const tableResource = ({ params }: TableInput): CatalogResource => catalogObject(params.prefix, namespaceOf(params), params.table);

export const viewResource = ({ params }: ViewInput): CatalogResource => catalogObject(params.prefix, namespaceOf(params), params.view);

/** A table or view the body names to create (or register) in the path's namespace; its name is checked first (400 before 403). */
export const newObjectResource = ({ params, body }: NewObjectInput): CatalogResource => {
  const levels = namespaceOf(params);
  validateName(body.name, 'name');
  return catalogObject(params.prefix, levels, body.name);
};

/**
 * A table or view a body names by identifier (a rename's source, a transaction's tables), as the policies decide on
 * it. The namespace of such an identifier is not checked before authorization, and an empty one names no namespace:
 * the decision is the warehouse's, as it was for catalog/<warehouse>//<name> (what the text resources made of it).
 */
export const identifiedResource = (prefix: string, id: Identifier): CatalogResource =>
  id.namespace.length > 0 ? catalogObject(prefix, id.namespace, id.name) : catalogObject(prefix);

export type RenameInput = Input<{ prefix: string }, { source: Identifier; destination: Identifier }>;

/**
 * A rename asks two things: the rename access on the source, and the create access on the destination, whose
 * namespace and name are checked first (400 before 403). The source is what the audit trail records.
 */
export const renameChecks =
  (kind: ObjectKind) =>
  ({ params, body }: RenameInput): Check[] => {
    validateLevels(body.destination.namespace, 'destination.namespace');
    validateName(body.destination.name, 'destination.name');
    return [
      { action: `catalog:${kind}:rename`, resource: identifiedResource(params.prefix, body.source) },
      { action: `catalog:${kind}:create`, resource: catalogObject(params.prefix, body.destination.namespace, body.destination.name) },
    ];
  };

/** A rename as its Idempotency-Key records it: the source's text, as the text resources wrote it. */
export const renamedText = ({ params, body }: RenameInput): string => resourceText(catalogObject(params.prefix, body.source.namespace, body.source.name));

const commitsTo = (resource: CatalogResource, updates: Updates): Check[] =>
  accessesForCommit(updates).map((access) => ({ action: `catalog:table:${access}`, resource }));

/** A commit needs the write accesses that match what it changes (domain/commit-access.ts), on its table. */
export const commitChecks = (input: TableInput & { readonly body: { updates: Updates } }): Check[] => commitsTo(tableResource(input), input.body.updates);

/** A transaction: its warehouse first (404 before 403), then every table for the accesses its changes need. */
export const transactionChecks = async (
  { params, body }: Input<{ prefix: string }, { 'table-changes': ReadonlyArray<{ identifier: Identifier; updates: Updates }> }>,
  services: { readonly store: { readonly db: Executor } },
): Promise<Check[]> => {
  await requireWarehouse(services.store.db, params.prefix);
  return body['table-changes'].flatMap((c) => commitsTo(identifiedResource(params.prefix, c.identifier), c.updates));
};
