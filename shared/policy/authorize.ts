import { ForbiddenError } from '../errors/index.js';
import type { Principal } from '../auth/index.js';

/**
 * The one seam every route calls before it acts. `action` is <domain>:<noun>:<verb> (iam:users:create); `resource`
 * is a path naming what is acted on (iam/users/<id>/tokens). Issue 3 of 5 replaces the rules behind it with policy
 * evaluation; routes do not change.
 */
export interface Authorizer {
  authorize(principal: Principal, action: string, resource: string): Promise<void>;
}

/** First rules: admins may do everything; everyone may read themselves and manage their own tokens. */
export class BuiltinAuthorizer implements Authorizer {
  async authorize(principal: Principal, action: string, resource: string): Promise<void> {
    if (principal.isAdmin) return;
    if (allowedForMember(principal, action, resource)) return;
    throw new ForbiddenError(`${principal.name} may not ${action} on ${resource}`);
  }
}

function allowedForMember(principal: Principal, action: string, resource: string): boolean {
  if (action === 'iam:me:read') return true;
  if (principal.kind !== 'user') return false;
  const self = `iam/users/${principal.id}`;
  if (action === 'iam:users:read' && resource === self) return true;
  if (action.startsWith('iam:tokens:') && (resource === `${self}/tokens` || resource.startsWith(`${self}/tokens/`))) return true;
  return false;
}
