import { IamEvents } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { CreateIdentityProviderBody } from '../../schemas.js';
import { identityProviderStore } from '../../store/identity-provider-store.js';

/** Trusting an issuer: its tokens are accepted on every route once the authenticator reads the providers again. */
export const createIdentityProvider: Handler<{ body: typeof CreateIdentityProviderBody }> = async (ctx) => {
  const b = ctx.body;
  const provider = await identityProviderStore(ctx.tx).create({
    name: b.name,
    issuer: b.issuer,
    audience: b.audience,
    usernameClaim: b.usernameClaim ?? 'preferred_username',
    groupsClaim: b.groupsClaim ?? null,
    emailClaim: b.emailClaim ?? 'email',
    enabled: b.enabled ?? true,
  });
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.identityProviderChanged,
    subject: `identity-providers/${provider.id}`,
    data: { identityProviderId: provider.id, name: provider.name, issuer: provider.issuer },
  });
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  ctx.auditResource = `iam/identity-providers/${provider.id}`;
  return json(201, provider, { location: `/api/v1/identity-providers/${provider.id}` });
};
