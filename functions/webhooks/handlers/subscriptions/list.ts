import { json, type Handler } from '../../../../shared/http/index.js';
import { subscriptionStore } from '../../store/subscription-store.js';

export const listSubscriptions: Handler = async (ctx) => json(200, { items: await subscriptionStore(ctx.db).list() });
