import type { Principal } from '../../../shared/auth/index.js';
import { scopeAllows } from '../../../shared/auth/index.js';
import { ForbiddenError } from '../../../shared/errors/index.js';
import { catalogObject } from '../../../shared/policy/index.js';
import { metaError } from '../metastore-errors.js';
import type { MetastoreSession } from '../metastore-session.js';
import { HOW_TO_AUTHENTICATE } from './session-calls.js';

/*
 * What a connection may see and change: the data access policies, exactly as the Iceberg catalog decides them, by the
 * same actions on the same resources (a database is a namespace, a table a table of it: Ranger's hive service model
 * is the catalog's). Decisions are made before a call's transaction: they may read the store, and PGlite has one
 * connection.
 */

export function requirePrincipal(s: MetastoreSession): Principal {
  if (!s.principal) throw metaError(`not authenticated: ${HOW_TO_AUTHENTICATE}`);
  return s.principal;
}

/** The warehouse a session's databases belong to, by name (resolved once per connection). */
export async function warehouseNameOf(s: MetastoreSession): Promise<string> {
  if (s.warehouse !== undefined) return s.warehouse;
  const first = await s.platform.store.db.selectFrom('warehouses').select('name').orderBy('name').limit(1).executeTakeFirst();
  if (!first) throw metaError('the platform has no warehouse yet: create one (POST /api/v1/warehouses) before using the metastore');
  return first.name;
}

const READS = new Set(['catalog:namespace:read', 'catalog:namespace:list', 'catalog:table:read', 'catalog:table:list']);

/** A token's scopes narrow what its principal may do here as on the catalog's routes: `catalog`, or `catalog:read` for reads. */
function checkScope(principal: Principal, action: string): void {
  if (principal.scopes && !scopeAllows(principal.scopes, [READS.has(action) ? 'catalog:read' : 'catalog']))
    throw new ForbiddenError(
      `this token's scopes (${principal.scopes.join(' ')}) do not cover the metastore's ${action}: it needs catalog${READS.has(action) ? ' or catalog:read' : ''}`,
    );
}

/** Refuses (MetaException, with the policy's reason) what the principal may not do to a database or a table. */
export async function authorize(s: MetastoreSession, action: string, db: string, table?: string): Promise<void> {
  const principal = requirePrincipal(s);
  checkScope(principal, action);
  await s.platform.authorizer.authorize(principal, action, catalogObject(await warehouseNameOf(s), [db], table));
}

/** Of some databases, or some tables of one, those the principal may see at all (listings show only those). */
export async function visibleOf(s: MetastoreSession, items: ReadonlyArray<{ db: string; table?: string }>): Promise<boolean[]> {
  const principal = requirePrincipal(s);
  checkScope(principal, 'catalog:table:list');
  const warehouse = await warehouseNameOf(s);
  return s.platform.authorizer.visible(
    principal,
    items.map((i) => catalogObject(warehouse, [i.db], i.table)),
  );
}
