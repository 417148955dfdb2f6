import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Static } from '@sinclair/typebox';
import { withDatabaseErrors, type DataPolicyRow, type Executor, type Tx } from '../../../shared/db/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/errors/index.js';
import { decodeCursor, encodeCursor } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { dataPolicySetVersion, type DataPolicyInput } from '../../../shared/policy/index.js';
import { policyProblems } from '../domain/policy-rules.js';
import { PolicyEvents } from '../../../shared/policy/index.js';
import type { ListPoliciesQuery } from '../schemas.js';

type Change = 'create' | 'update' | 'delete';

function toApi(row: DataPolicyRow) {
  return {
    ...(row.document as unknown as DataPolicyInput),
    id: row.id,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
  };
}

function validate(input: DataPolicyInput): void {
  const problems = policyProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
}

/** Bumps the set's version (the row lock also queues concurrent policy writes) and records the change. */
async function recordChange(platform: Platform, tx: Tx, row: DataPolicyRow, change: Change, actor: string): Promise<number> {
  const state = await tx
    .updateTable('policy_state')
    .set({ data_policy_version: sql`data_policy_version + 1`, updated_at: new Date() })
    .where('id', '=', 1)
    .returning('data_policy_version')
    .executeTakeFirstOrThrow();
  const setVersion = Number(state.data_policy_version);
  await tx
    .insertInto('data_policy_history')
    .values({ policy_id: row.id, version: row.version, change, document: JSON.stringify(row.document), set_version: String(setVersion), changed_by: actor })
    .execute();
  await platform.outbox.publish(tx, {
    type: PolicyEvents.dataPolicyChanged,
    subject: `policies/${row.id}`,
    data: { policyId: row.id, name: row.name, version: row.version, policySetVersion: setVersion, change, actor },
  });
  return setVersion;
}

export async function createDataPolicy(platform: Platform, input: DataPolicyInput, actor: string) {
  validate(input);
  const row = await platform.store.db.transaction().execute(async (tx) => {
    const created = await withDatabaseErrors(`data policy "${input.name}"`, () =>
      tx
        .insertInto('data_policies')
        .values({ id: randomUUID(), name: input.name, type: input.type, enabled: input.enabled, document: JSON.stringify(input), created_by: actor, updated_by: actor, updated_at: new Date() })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    await recordChange(platform, tx, created, 'create', actor);
    return created;
  });
  platform.dataPolicies.invalidate();
  return toApi(row);
}

export async function getDataPolicy(db: Executor, id: string) {
  const row = await db.selectFrom('data_policies').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`data policy ${id} does not exist`);
  return toApi(row);
}

export async function listDataPolicies(db: Executor, query: Static<typeof ListPoliciesQuery>) {
  const size = query.pageSize ?? 100;
  const cursor = decodeCursor(query.pageToken);
  let q = db.selectFrom('data_policies').selectAll();
  if (query.type) q = q.where('type', '=', query.type);
  if (query.name) q = q.where(sql`lower(name)`, 'like', `%${query.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (query.label) q = q.where(sql`document -> 'labels'`, '@>', JSON.stringify([query.label]));
  if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = await q.orderBy('created_at').orderBy('id').limit(size + 1).execute();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    items: page.map(toApi),
    nextPageToken: rows.length > size && last ? encodeCursor(last.created_at, last.id) : null,
    policySetVersion: await dataPolicySetVersion(db),
  };
}

function checkVersion(current: DataPolicyRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== current.version) {
    throw new ConflictError(`data policy ${current.id} is at version ${current.version}, not ${expected}: someone changed it; read it again and retry`);
  }
}

/** Checks the caller may change the policy as it is now (under its row lock); throws if not. Must not query. */
export type MayManage = (current: DataPolicyInput) => void;

export async function replaceDataPolicy(platform: Platform, id: string, input: DataPolicyInput, expectedVersion: number | undefined, actor: string, mayManage: MayManage) {
  validate(input);
  const row = await platform.store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('data_policies').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new NotFoundError(`data policy ${id} does not exist`);
    mayManage(current.document as unknown as DataPolicyInput);
    checkVersion(current, expectedVersion);
    const updated = await withDatabaseErrors(`data policy "${input.name}"`, () =>
      tx
        .updateTable('data_policies')
        .set({ name: input.name, type: input.type, enabled: input.enabled, document: JSON.stringify(input), version: current.version + 1, updated_at: new Date(), updated_by: actor })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    await recordChange(platform, tx, updated, 'update', actor);
    return updated;
  });
  platform.dataPolicies.invalidate();
  return toApi(row);
}

export async function deleteDataPolicy(platform: Platform, id: string, expectedVersion: number | undefined, actor: string, mayManage: MayManage): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('data_policies').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new NotFoundError(`data policy ${id} does not exist`);
    mayManage(current.document as unknown as DataPolicyInput);
    checkVersion(current, expectedVersion);
    await tx.deleteFrom('data_policies').where('id', '=', id).execute();
    await recordChange(platform, tx, { ...current, version: current.version + 1 }, 'delete', actor);
  });
  platform.dataPolicies.invalidate();
}

export async function dataPolicyHistory(db: Executor, id: string) {
  const rows = await db.selectFrom('data_policy_history').selectAll().where('policy_id', '=', id).orderBy('version', 'desc').execute();
  if (rows.length === 0) throw new NotFoundError(`data policy ${id} has no history: it never existed`);
  return {
    items: rows.map((r) => ({
      version: r.version,
      change: r.change,
      policySetVersion: Number(r.set_version),
      changedAt: r.changed_at.toISOString(),
      changedBy: r.changed_by,
      policy: r.document as unknown as DataPolicyInput,
    })),
  };
}
