import { json, type OperationContext } from '../../../../shared/http/index.js';
import { locate, type PolicyPath } from './find-policy.js';

export const readRangerPolicy = async (ctx: OperationContext<PolicyPath>) => json(200, (await locate(ctx.db, ctx.params)).ranger);
