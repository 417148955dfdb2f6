import type { Static } from '@sinclair/typebox';
import { json, type Handler, type OperationInput } from '../../../../shared/http/index.js';
import type { DecideBatchRequest } from '../../schemas.js';
import { accessTimeOf, assertResources, decide } from './decision.js';
import { impersonation, subjectFor } from './subject.js';

type Body = Static<typeof DecideBatchRequest>;

/** Every resource is checked before the authorization, as the schema is (see decideChecks). */
export const decideBatchChecks = ({ body }: OperationInput<unknown, unknown, Body>) => {
  assertResources(body.requests.map((r, i) => ({ resource: r.resource, at: `requests.${i}.resource`, access: r.access, accessAt: `requests.${i}.access` })));
  return impersonation(body.principal);
};

/** Decisions come back in request order. */
export const decideBatch: Handler<{ body: typeof DecideBatchRequest }> = async (ctx) => {
  const subject = subjectFor(ctx.requirePrincipal(), ctx.body.principal);
  const at = accessTimeOf(ctx.body.accessTime);
  const decisions = [];
  for (const r of ctx.body.requests) decisions.push(await decide(ctx.platform, subject, r.access, r.resource, at));
  return json(200, { decisions });
};
