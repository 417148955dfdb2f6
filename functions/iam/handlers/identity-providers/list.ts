import { json, type Handler } from '../../../../shared/http/index.js';
import { identityProviderStore } from '../../store/identity-provider-store.js';

export const listIdentityProviders: Handler = async (ctx) => json(200, { items: await identityProviderStore(ctx.db).list() });
