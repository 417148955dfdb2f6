import { json, type Handler } from '../../../../shared/http/index.js';
import type { ListDeadLettersQuery } from '../../schemas.js';
import { deliveryStore } from '../../store/delivery-store.js';

export const listDeadLetters: Handler<{ query: typeof ListDeadLettersQuery }> = async (ctx) => json(200, await deliveryStore(ctx.db).list(ctx.query));
