import { IamEvents } from '../../../../shared/auth/index.js';
import { NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Check, type Handler, type OperationInput } from '../../../../shared/http/index.js';
import type { FunctionServices } from '../../../../shared/events/index.js';
import { platformObject } from '../../../../shared/policy/index.js';
import type { IdParams } from '../../schemas.js';
import { tokenStore } from '../../store/token-store.js';

/**
 * What revoking a token asks the policies: iam:tokens:revoke on iam/users/<owner>/tokens/<id>, which is the caller's
 * own tokens or someone else's. Non-admins learn nothing about other users' token ids: an unknown token is asked about
 * as iam/tokens/<id>, which the policies refuse them as they refuse a foreign one. An admin is told it does not exist.
 */
export async function revocationChecks({ params, principal }: OperationInput<{ id: string }, unknown, unknown>, services: FunctionServices): Promise<Check[]> {
  const owner = await tokenStore(services.store.db).ownerOf(params.id);
  if (owner !== undefined) return [{ action: 'iam:tokens:revoke', resource: platformObject('iam', 'users', owner, 'tokens', params.id) }];
  return principal?.isAdmin ? [] : [{ action: 'iam:tokens:revoke', resource: platformObject('iam', 'tokens', params.id) }];
}

/** Revoking twice is harmless; the token keeps its first revocation time. */
export const revokeToken: Handler<{ params: typeof IdParams }> = async (ctx) => {
  const { id } = ctx.params;
  const revoked = await tokenStore(ctx.tx).revoke(id);
  if (revoked.outcome === 'missing') throw new NotFoundError(`token ${id} does not exist`);
  if (revoked.outcome === 'revoked') {
    const { token } = revoked;
    await ctx.platform.outbox.publish(ctx.tx, {
      type: IamEvents.tokenRevoked,
      subject: `users/${token.userId}/tokens/${token.id}`,
      data: { tokenId: token.id, userId: token.userId, name: token.name },
    });
  }
  // A token's principal may be cached: it stops working at once.
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  return noContent();
};
