import { json, type Handler } from '../../../../shared/http/index.js';
import type { DecisionLogQuery } from '../../schemas.js';
import { decisionLogStore } from '../../store/decision-log-store.js';

export const readDecisionLog: Handler<{ query: typeof DecisionLogQuery }> = async (ctx) => json(200, await decisionLogStore(ctx.db).list(ctx.query));
