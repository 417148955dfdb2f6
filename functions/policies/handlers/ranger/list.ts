import { json, type Handler } from '../../../../shared/http/index.js';
import type { RangerListQuery, RangerServiceParams } from '../../schemas.js';
import { listPolicies } from './find-policy.js';

/** ?serviceName=&policyName= (or Ranger's lower-case spellings); the trino service by default. */
export const listRangerPolicies: Handler<{ query: typeof RangerListQuery }> = async (ctx) =>
  json(200, await listPolicies(ctx.db, ctx.query.serviceName ?? ctx.query.servicename, ctx.query.policyName ?? ctx.query.policyname));

export const listServicePolicies: Handler<{ params: typeof RangerServiceParams; query: typeof RangerListQuery }> = async (ctx) =>
  json(200, await listPolicies(ctx.db, ctx.params.servicename, ctx.query.policyName ?? ctx.query.policyname));
