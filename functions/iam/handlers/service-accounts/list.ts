import { json, type Handler } from '../../../../shared/http/index.js';
import type { ListServiceAccountsQuery } from '../../schemas.js';
import { serviceAccountStore } from '../../store/service-account-store.js';

export const listServiceAccounts: Handler<{ query: typeof ListServiceAccountsQuery }> = async (ctx) =>
  json(200, await serviceAccountStore(ctx.db).list({ pageSize: ctx.query.pageSize ?? 50, pageToken: ctx.query.pageToken }));
