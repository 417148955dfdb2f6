import { noContent, type Handler, type ReplayedTo, type Reply } from '../../../../shared/http/index.js';
import { catalogObject, resourceText } from '../../../../shared/policy/index.js';
import type { CommitTransactionRequest, PrefixParams } from '../../schemas/iceberg-requests.js';
import { commitChanges } from './commit.js';

/** What a transaction is recorded as (audit, Idempotency-Key): catalog/<warehouse>/transactions; its tables are the detail. */
export const transactionsOf = (prefix: string): string => `${resourceText(catalogObject(prefix))}/transactions`;

type Changes = ReadonlyArray<{ identifier: { namespace: readonly string[]; name: string } }>;

const tablesOf = (changes: Changes): string => changes.map((c) => `${c.identifier.namespace.join('.')}.${c.identifier.name}`).join(', ');

/** commitTransaction: changes to several tables of the warehouse, all landing or none. */
export const commitTransaction: Handler<{ params: typeof PrefixParams; body: typeof CommitTransactionRequest }> = async (ctx) => {
  const changes = ctx.body['table-changes'];
  ctx.auditDetail = tablesOf(changes);
  return commitChanges(ctx, ctx.params.prefix, changes, () => noContent());
};

/** A replayed commitTransaction is recorded as the commit was: with the tables it names. */
export async function recordTablesOnReplay(
  stored: Reply,
  _db: unknown,
  { input, context }: ReplayedTo<{ body: { 'table-changes': Changes } }>,
): Promise<Reply> {
  context.auditDetail = tablesOf(input.body['table-changes']);
  return stored;
}
