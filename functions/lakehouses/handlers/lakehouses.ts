import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { sql } from 'kysely';
import { withDatabaseErrors, type Db, type LakehouseRow } from '../../../shared/db/index.js';
import { ConflictError, ValidationError } from '../../../shared/errors/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import {
  announceChange,
  cancelWorkload,
  finishDelete,
  lakehouseProblems,
  LakehouseSpec,
  moveLakehouse,
  recordActivity,
  requireLakehouse,
  restartRequired,
  specOf,
  toActivityEntry,
  toLakehouse,
  type LakehousePatch,
} from '../../../shared/domains/lakehouses/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { ActivityQuery, ListLakehousesQuery } from '../schemas.js';

function validate(spec: LakehouseSpec): void {
  const problems = lakehouseProblems(spec);
  if (problems.length > 0) throw new ValidationError(problems);
}

/** The definition as stored: without owner (a column of its own) and name (likewise). */
function stored(spec: LakehouseSpec): string {
  const { owner: _owner, ...rest } = spec;
  return JSON.stringify(rest);
}

export async function createLakehouse(platform: Platform, spec: LakehouseSpec, owner: string, actor: string) {
  validate(spec);
  const row = await platform.store.db.transaction().execute(async (tx) => {
    const created = await withDatabaseErrors(`lakehouse "${spec.name}"`, () =>
      tx.insertInto('lakehouses').values({ id: randomUUID(), name: spec.name, owner, spec: stored(spec), state: 'STOPPED', state_message: 'created', created_by: actor, updated_by: actor }).returningAll().executeTakeFirstOrThrow(),
    );
    await recordActivity(tx, created, { kind: 'change', action: 'create', to: 'STOPPED', actor, message: `created (version 1)` });
    await announceChange(tx, platform, created, 'create', actor);
    return created;
  });
  return toLakehouse(row);
}

export async function listLakehouses(db: Db, query: Static<typeof ListLakehousesQuery>) {
  const size = query.pageSize ?? 100;
  const cursor = decodeCursor(query.pageToken);
  let q = db.selectFrom('lakehouses').selectAll();
  if (query.owner) q = q.where('owner', '=', query.owner);
  if (query.state) q = q.where('state', '=', query.state);
  if (query.tag) q = q.where(sql`spec -> 'tags'`, '@>', JSON.stringify([query.tag]));
  if (query.name) q = q.where('name', 'like', `%${query.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = await q.orderBy('created_at').orderBy('id').limit(size + 1).execute();
  return pageOf(rows, size, toLakehouse);
}

/**
 * Changes a definition: given fields replace the stored ones, a new version. On a running lakehouse, what takes effect
 * only at a start (sizes, Spark settings, image) is kept and flagged "restart required" until the next start; the
 * rest (description, tags, auto-stop, auto-start, owner) applies at once.
 */
export async function updateLakehouse(platform: Platform, id: string, patch: LakehousePatch, owner: string | undefined, expectedVersion: number | undefined, actor: string, mayChange: (current: LakehouseRow) => void) {
  const row = await platform.store.db.transaction().execute(async (tx) => {
    const current = await requireLakehouse(tx, id, true);
    mayChange(current);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new ConflictError(`lakehouse ${current.name} is at version ${current.version}, not ${expectedVersion}: someone changed it; read it again and retry`);
    }
    if (patch.name !== undefined && patch.name !== current.name) throw new ValidationError([{ in: 'body', field: 'name', message: `cannot be changed (it names the lakehouse's Kubernetes objects); it is ${current.name}` }]);
    if (current.state === 'DELETING') throw new ConflictError(`lakehouse ${current.name} is being deleted`);
    const before = specOf(current);
    const merged: Record<string, unknown> = { ...before, owner: undefined };
    for (const [k, v] of Object.entries(patch)) {
      if (k === 'owner' || k === 'name') continue;
      if (v === null) delete merged[k];
      else if (k === 'driver' || k === 'executor' || k === 'executors') merged[k] = { ...(before[k] as object), ...(v as object) };
      else merged[k] = v;
    }
    delete merged['owner'];
    const spec = Value.Default(LakehouseSpec, merged) as LakehouseSpec;
    validate(spec);
    const updated = await tx
      .updateTable('lakehouses')
      .set({ owner: owner ?? current.owner, spec: stored(spec), version: current.version + 1, updated_at: new Date(), updated_by: actor })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const flagged = restartRequired(updated);
    await recordActivity(tx, updated, { kind: 'change', action: 'update', actor, message: `version ${updated.version}: ${Object.keys(patch).join(', ')}${flagged ? ' (restart required)' : ''}` });
    await announceChange(tx, platform, updated, 'update', actor);
    return updated;
  });
  return toLakehouse(row);
}

/**
 * Deletes a lakehouse: at once when nothing runs (204); otherwise DELETING while its workload is stopped, then gone
 * (202). Its activity history stays.
 */
export async function deleteLakehouse(platform: Platform, id: string, expectedVersion: number | undefined, actor: string, mayChange: (current: LakehouseRow) => void): Promise<{ gone: true } | { gone: false; lakehouse: ReturnType<typeof toLakehouse> }> {
  const result = await platform.store.db.transaction().execute(async (tx) => {
    const current = await requireLakehouse(tx, id, true);
    mayChange(current);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new ConflictError(`lakehouse ${current.name} is at version ${current.version}, not ${expectedVersion}`);
    if (current.state === 'DELETING') return { row: current, gone: false };
    if (current.state === 'STOPPED' || (current.state === 'FAILED' && !current.workload_name)) {
      await finishDelete(tx, platform, current, actor);
      return { row: current, gone: true };
    }
    const moved = await moveLakehouse(tx, platform, current, 'DELETING', { source: 'api', actor, message: 'deleting: stopping its workload first' });
    return { row: moved, gone: false };
  });
  if (result.gone) {
    await platform.endpoints.unexpose(result.row.name).catch((err: unknown) => platform.logger.error({ err, lakehouse: result.row.name }, 'removing a lakehouse Service failed'));
    return { gone: true };
  }
  await cancelWorkload(platform, result.row);
  return { gone: false, lakehouse: toLakehouse(await requireLakehouse(platform.store.db, id).catch(() => result.row)) };
}

/** Every state change, action and definition change, oldest first; the history outlives the lakehouse. */
export async function lakehouseActivity(db: Db, id: string, query: Static<typeof ActivityQuery>) {
  const size = query.pageSize ?? 100;
  let q = db.selectFrom('lakehouse_activity').selectAll().where('lakehouse_id', '=', id);
  if (query.pageToken) q = q.where('id', '>', query.pageToken);
  const rows = await q.orderBy('id').limit(size + 1).execute();
  const more = rows.length > size;
  const items = (more ? rows.slice(0, size) : rows).map(toActivityEntry);
  return { items, nextPageToken: more ? (items.at(-1)?.id ?? null) : null };
}
