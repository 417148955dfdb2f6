import { issueTokenThrottled } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { TokenRequest } from '../../schemas.js';

/** The OAuth2 token endpoint. Its audit detail names the grant and, once known, the subject; never a secret. */
export const issueToken: Handler<{ body: typeof TokenRequest }> = async (ctx) => {
  ctx.auditDetail = `grant_type=${ctx.body.grant_type}`;
  const { answer, subject } = await issueTokenThrottled(ctx.platform, ctx.body, ctx.headers.authorization, ctx.ip);
  ctx.auditDetail += ` subject=${subject}`;
  return json(200, answer, { 'cache-control': 'no-store', pragma: 'no-cache' });
};
