import type { Static } from '@sinclair/typebox';
import { json, type Handler, type OperationInput } from '../../../../shared/http/index.js';
import type { DecideRequest } from '../../schemas.js';
import { accessTimeOf, assertResources, decide } from './decision.js';
import { impersonation, subjectFor } from './subject.js';

type Body = Static<typeof DecideRequest>;

/**
 * The resource is checked before the authorization, as the schema is: a malformed request is a 400 whoever asks,
 * and whomever for.
 */
export const decideChecks = ({ body }: OperationInput<unknown, unknown, Body>) => {
  assertResources([{ resource: body.resource, at: 'resource', access: body.access, accessAt: 'access' }]);
  return impersonation(body.principal);
};

export const decideOne: Handler<{ body: typeof DecideRequest }> = async (ctx) => {
  const subject = subjectFor(ctx.requirePrincipal(), ctx.body.principal);
  return json(200, await decide(ctx.platform, subject, ctx.body.access, ctx.body.resource, accessTimeOf(ctx.body.accessTime)));
};
