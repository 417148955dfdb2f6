import { json, type Handler } from '../../../../shared/http/index.js';
import { fromRangerPolicy, type RangerPolicyIn } from '../../ranger/from-ranger.js';
import { service } from '../../ranger/services.js';
import { actorOf, createPolicy } from '../data-policies/policy-changes.js';
import { findPolicy } from './find-policy.js';

/** A policy from Ranger JSON; answered in the service's JSON as stored (read in the same transaction). */
export const createRangerPolicy: Handler<{ body: typeof RangerPolicyIn }> = async (ctx) => {
  const svc = service(ctx.body.service);
  const created = await createPolicy(ctx.platform, ctx.tx, fromRangerPolicy(ctx.body, svc), actorOf(ctx.requirePrincipal()));
  ctx.afterCommit(() => ctx.platform.dataPolicies.invalidate());
  ctx.auditResource = `policies/${created.id}`;
  return json(200, (await findPolicy(ctx.tx, { guid: created.id }, svc)).ranger);
};
