import { json, type Handler } from '../../../../shared/http/index.js';

/** The caller as it authenticated: who it is, its groups, and how. */
export const me: Handler = async (ctx) => {
  const p = ctx.requirePrincipal();
  return json(200, {
    kind: p.kind,
    id: p.id,
    name: p.name,
    isAdmin: p.isAdmin,
    groups: p.groups,
    authentication: { method: p.authMethod, issuer: p.issuer, ...(p.tokenId ? { tokenId: p.tokenId } : {}) },
  });
};
