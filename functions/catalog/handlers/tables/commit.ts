import type { OperationContext, Reply } from '../../../../shared/http/index.js';
import { actorOf } from '../actor.js';
import { commitTables, type CommittedTable, type TableChange } from '../table-commit.js';
import { deleteObsoleteMetadataFiles } from '../table-files.js';
import { forgetSignableTables } from '../table-signing.js';

type CommitContext = Pick<OperationContext, 'platform' | 'transact' | 'afterCommit' | 'requirePrincipal'>;

/**
 * Commits changes to tables of a warehouse (table-commit.ts): their new metadata files are written before any
 * transaction, which only swaps pointers, with the request's Idempotency-Key (or on its own when the swap is one
 * statement and there is no key), again after a lost race. Once committed, the signer reads the tables again (a
 * commit can move their files: location, write.data.path) and the metadata files the commit let go of are deleted.
 */
export async function commitChanges(
  ctx: CommitContext,
  prefix: string,
  changes: TableChange[],
  answer: (committed: CommittedTable[]) => Reply,
): Promise<Reply> {
  let obsolete: string[] = [];
  const reply = await commitTables(ctx.platform, prefix, changes, actorOf(ctx.requirePrincipal()), (swap, oneStatement) =>
    (oneStatement ? ctx.transact.oneStatement : ctx.transact)(async (db) => {
      const committed = await swap(db);
      obsolete = committed.flatMap((c) => c.obsoleteMetadataFiles);
      return answer(committed);
    }),
  );
  ctx.afterCommit(async () => {
    forgetSignableTables(
      ctx.platform,
      prefix,
      changes.map((c) => c.identifier),
    );
    if (obsolete.length > 0) await deleteObsoleteMetadataFiles(ctx.platform, prefix, obsolete);
  });
  return reply;
}
