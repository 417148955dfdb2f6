import { issueTokenThrottled, type TokenRequest } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';

/** The deprecated Iceberg token endpoint: the same grants as /api/v1/auth/token, recorded as that route records them. */
export const getToken: Handler<{ body: typeof TokenRequest }> = async (ctx) => {
  ctx.auditResource = 'iam/auth/token';
  ctx.auditDetail = `grant_type=${ctx.body.grant_type} via /iceberg/v1/oauth/tokens`;
  const { answer, subject } = await issueTokenThrottled(ctx.platform, ctx.body, ctx.headers.authorization, ctx.ip);
  ctx.auditDetail += ` subject=${subject}`;
  return json(200, answer, { 'cache-control': 'no-store', pragma: 'no-cache' });
};
