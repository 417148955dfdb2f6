import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Static } from '@sinclair/typebox';
import { IamEvents } from '../../../shared/auth/index.js';
import { withDatabaseErrors, type Executor, type GroupRow } from '../../../shared/db/index.js';
import { NotFoundError } from '../../../shared/errors/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { CreateGroupBody, ListGroupsQuery, UpdateGroupBody } from '../schemas.js';

function toGroup(row: GroupRow & { member_count: string | number }) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    source: row.source,
    memberCount: Number(row.member_count),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

function withCount(db: Executor) {
  return db
    .selectFrom('groups')
    .selectAll('groups')
    .select((eb) => eb.selectFrom('group_members').select(eb.fn.countAll<string>().as('n')).whereRef('group_members.group_id', '=', 'groups.id').as('member_count'));
}

export async function getGroup(db: Executor, id: string) {
  const row = await withCount(db).where('groups.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`group ${id} does not exist`);
  return toGroup(row as GroupRow & { member_count: string });
}

export async function listGroups(db: Executor, query: Static<typeof ListGroupsQuery>) {
  const size = query.pageSize ?? 50;
  const cursor = decodeCursor(query.pageToken);
  let q = withCount(db);
  if (query.q) q = q.where(sql`lower(groups.name)`, 'like', `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (cursor) q = q.where((eb) => eb(eb.refTuple('groups.created_at', 'groups.id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = (await q.orderBy('groups.created_at').orderBy('groups.id').limit(size + 1).execute()) as Array<GroupRow & { member_count: string }>;
  return pageOf(rows, size, toGroup);
}

export async function createGroup(platform: Platform, body: Static<typeof CreateGroupBody>) {
  return platform.store.db.transaction().execute(async (tx) => {
    const row = await withDatabaseErrors(`group ${body.name}`, () =>
      tx.insertInto('groups').values({ id: randomUUID(), name: body.name, description: body.description ?? null, source: 'local', updated_at: new Date() }).returningAll().executeTakeFirstOrThrow(),
    );
    await platform.outbox.publish(tx, { type: IamEvents.groupCreated, subject: `groups/${row.id}`, data: { groupId: row.id, name: row.name } });
    return toGroup({ ...row, member_count: 0 });
  });
}

export async function updateGroup(platform: Platform, id: string, body: Static<typeof UpdateGroupBody>) {
  const group = await platform.store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('groups').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new NotFoundError(`group ${id} does not exist`);
    await withDatabaseErrors(`group ${body.name ?? current.name}`, () =>
      tx
        .updateTable('groups')
        .set({ ...(body.name !== undefined ? { name: body.name } : {}), ...(body.description !== undefined ? { description: body.description } : {}), updated_at: new Date(), version: current.version + 1 })
        .where('id', '=', id)
        .execute(),
    );
    await platform.outbox.publish(tx, { type: IamEvents.groupUpdated, subject: `groups/${id}`, data: { groupId: id, name: body.name ?? current.name } });
    return getGroup(tx, id);
  });
  platform.authenticator.invalidate();
  return group;
}

export async function deleteGroup(platform: Platform, id: string): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const row = await tx.deleteFrom('groups').where('id', '=', id).returning(['id', 'name']).executeTakeFirst();
    if (!row) throw new NotFoundError(`group ${id} does not exist`);
    await platform.outbox.publish(tx, { type: IamEvents.groupDeleted, subject: `groups/${id}`, data: { groupId: id, name: row.name } });
  });
  platform.authenticator.invalidate();
}

export async function listMembers(db: Executor, groupId: string) {
  await getGroup(db, groupId);
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select(['users.id as userId', 'users.username as username', 'group_members.source as source', 'group_members.created_at as addedAt'])
    .where('group_members.group_id', '=', groupId)
    .orderBy('users.username')
    .execute();
  return { items: rows.map((r) => ({ ...r, addedAt: r.addedAt.toISOString() })) };
}

/** Adding twice is not an error (PUT is idempotent); the answer says whether anything changed. */
export async function addMember(platform: Platform, groupId: string, userId: string): Promise<boolean> {
  const added = await platform.store.db.transaction().execute(async (tx) => {
    const group = await tx.selectFrom('groups').select('id').where('id', '=', groupId).executeTakeFirst();
    if (!group) throw new NotFoundError(`group ${groupId} does not exist`);
    const user = await tx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw new NotFoundError(`user ${userId} does not exist`);
    const inserted = await tx.insertInto('group_members').values({ group_id: groupId, user_id: userId, source: 'local' }).onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing()).returning('user_id').executeTakeFirst();
    if (inserted) await platform.outbox.publish(tx, { type: IamEvents.membershipChanged, subject: `groups/${groupId}`, data: { groupId, userId, change: 'added', source: 'local' } });
    return Boolean(inserted);
  });
  platform.authenticator.invalidate();
  return added;
}

export async function removeMember(platform: Platform, groupId: string, userId: string): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const removed = await tx.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).returning('source').executeTakeFirst();
    if (!removed) throw new NotFoundError(`user ${userId} is not a member of group ${groupId}`);
    await platform.outbox.publish(tx, { type: IamEvents.membershipChanged, subject: `groups/${groupId}`, data: { groupId, userId, change: 'removed', source: removed.source } });
  });
  platform.authenticator.invalidate();
}
