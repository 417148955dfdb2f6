import { json, type Handler } from '../../../../shared/http/index.js';

export const jwks: Handler = async (ctx) => json(200, await ctx.platform.keys.jwks(), { 'cache-control': 'public, max-age=300' });
