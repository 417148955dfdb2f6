import { NotFoundError } from '../../../../shared/errors/index.js';
import { noContent, type Handler } from '../../../../shared/http/index.js';
import type { SecretParams } from '../../schemas.js';
import { serviceAccountStore } from '../../store/service-account-store.js';

export const revokeSecret: Handler<{ params: typeof SecretParams }> = async (ctx) => {
  const { id, secretId } = ctx.params;
  if (!(await serviceAccountStore(ctx.tx).revokeSecret(id, secretId))) throw new NotFoundError(`secret ${secretId} of service account ${id} does not exist`);
  return noContent();
};
