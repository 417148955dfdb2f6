import { json, type Handler } from '../../../../shared/http/index.js';
import { deliveryStore } from '../../store/delivery-store.js';

export const outboxStatus: Handler = async (ctx) => json(200, { transport: ctx.platform.transport.name, items: await deliveryStore(ctx.db).pending() });
