import { IamEvents, randomBase62Id, SECRET_PREFIX } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { CreateServiceAccountBody } from '../../schemas.js';
import { serviceAccountStore } from '../../store/service-account-store.js';
import { newClientSecret } from './secret.js';

/** A service account with its first client secret, which this answer shows once. */
export const createServiceAccount: Handler<{ body: typeof CreateServiceAccountBody }> = async (ctx) => {
  const principal = ctx.requirePrincipal();
  const { name, description, isAdmin, secretExpiresInDays, maxRequestsPerSecond } = ctx.body;
  const { secret, stored } = newClientSecret(secretExpiresInDays);
  const { serviceAccount, secretId } = await serviceAccountStore(ctx.tx).create(
    {
      name,
      description,
      isAdmin,
      maxRequestsPerSecond,
      clientId: SECRET_PREFIX.clientId + randomBase62Id(20),
      createdBy: principal.kind === 'user' ? principal.id : null,
    },
    stored,
  );
  await ctx.platform.outbox.publish(ctx.tx, {
    type: IamEvents.serviceAccountCreated,
    subject: `service-accounts/${serviceAccount.id}`,
    data: { serviceAccountId: serviceAccount.id, name: serviceAccount.name, clientId: serviceAccount.clientId },
  });
  ctx.auditResource = `iam/service-accounts/${serviceAccount.id}`;
  return json(
    201,
    { serviceAccount, credentials: { clientId: serviceAccount.clientId, clientSecret: secret, secretId } },
    { location: `/api/v1/service-accounts/${serviceAccount.id}`, 'cache-control': 'no-store' },
  );
};
