import { noContent, type OperationContext, type Reply } from '../../../../shared/http/index.js';
import { requireObject, type ObjectKind } from '../../store/catalog-objects.js';
import { objectNamed, type ObjectParams } from './common.js';

/** tableExists and viewExists (HEAD): 204, or the 404 that says what is missing. */
export function objectExists<K extends ObjectKind>(kind: K): (ctx: OperationContext<ObjectParams<K>>) => Promise<Reply> {
  return async (ctx) => {
    const { prefix, levels, name } = objectNamed(kind, ctx.params);
    await requireObject(ctx.db, kind, prefix, levels, name);
    return noContent();
  };
}
