import { ValidationError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { ListAuditQuery } from '../../schemas.js';
import { auditStore } from '../../store/audit-store.js';

function decodeAuditCursor(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const id = Buffer.from(token, 'base64url').toString('utf8');
  // A row id, at most 18 digits: 19 could pass int8's 2^63 - 1 and fail in PostgreSQL.
  if (!/^[0-9]{1,18}$/.test(id)) throw new ValidationError([{ in: 'query', field: 'pageToken', message: 'is not a page token this API issued' }]);
  return id;
}

/** The audit trail, newest first; a page token is the position of the last record shown. */
export const listAudit: Handler<{ query: typeof ListAuditQuery }> = async (ctx) => {
  const { pageSize, pageToken, ...filter } = ctx.query;
  const { items, more } = await auditStore(ctx.db).list({ ...filter, before: decodeAuditCursor(pageToken), pageSize: pageSize ?? 50 });
  const last = items[items.length - 1];
  return json(200, { items, nextPageToken: more && last ? Buffer.from(last.id).toString('base64url') : null });
};
