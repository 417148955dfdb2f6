import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Static } from '@sinclair/typebox';
import { hashPassword, IamEvents, type Principal } from '../../../shared/auth/index.js';
import { withDatabaseErrors, type Executor, type Tx, type UserRow } from '../../../shared/db/index.js';
import { ConflictError, NotFoundError } from '../../../shared/errors/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { CreateUserBody, ListUsersQuery, UpdateUserBody, User } from '../schemas.js';

async function groupsOf(db: Executor, userIds: string[]): Promise<Map<string, Array<{ id: string; name: string }>>> {
  const out = new Map<string, Array<{ id: string; name: string }>>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .select(['group_members.user_id', 'groups.id', 'groups.name'])
    .where('group_members.user_id', 'in', userIds)
    .orderBy('groups.name')
    .execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push({ id: r.id, name: r.name });
    out.set(r.user_id, list);
  }
  return out;
}

export function toUser(row: UserRow, groups: Array<{ id: string; name: string }>): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    displayName: row.display_name,
    active: row.active,
    isAdmin: row.is_admin,
    source: row.source,
    groups,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    version: row.version,
  };
}

export async function getUser(db: Executor, id: string): Promise<User> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`user ${id} does not exist`);
  return toUser(row, (await groupsOf(db, [id])).get(id) ?? []);
}

export async function listUsers(db: Executor, query: Static<typeof ListUsersQuery>) {
  const size = query.pageSize ?? 50;
  const cursor = decodeCursor(query.pageToken);
  let q = db.selectFrom('users').selectAll();
  if (query.q) {
    const like = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb(sql`lower(username)`, 'like', like), eb(sql`lower(coalesce(email, ''))`, 'like', like), eb(sql`lower(coalesce(display_name, ''))`, 'like', like)]));
  }
  if (query.active !== undefined) q = q.where('active', '=', query.active);
  if (query.groupId) q = q.where('id', 'in', (eb) => eb.selectFrom('group_members').select('user_id').where('group_id', '=', query.groupId as string));
  if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = await q.orderBy('created_at').orderBy('id').limit(size + 1).execute();
  const groups = await groupsOf(db, rows.slice(0, size).map((r) => r.id));
  return pageOf(rows, size, (r) => toUser(r, groups.get(r.id) ?? []));
}

export async function createUser(platform: Platform, body: Static<typeof CreateUserBody>): Promise<User> {
  const passwordHash = body.password ? await hashPassword(body.password) : null;
  return platform.store.db.transaction().execute(async (tx) => {
    const row = await withDatabaseErrors(`user ${body.username}${body.email ? ` or email ${body.email}` : ''}`, () =>
      tx
        .insertInto('users')
        .values({
          id: randomUUID(),
          username: body.username,
          email: body.email ?? null,
          display_name: body.displayName ?? null,
          password_hash: passwordHash,
          is_admin: body.isAdmin ?? false,
          active: body.active ?? true,
          source: 'local',
          idp_id: null,
          external_subject: null,
          locked_until: null,
          last_login_at: null,
          updated_at: new Date(),
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    await platform.outbox.publish(tx, { type: IamEvents.userCreated, subject: `users/${row.id}`, data: { userId: row.id, username: row.username, source: 'local' } });
    return toUser(row, []);
  });
}

/** The platform must always keep one active admin user: refusing here beats a locked-out installation. */
async function assertAnotherAdmin(tx: Tx, userId: string): Promise<void> {
  const others = await tx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('is_admin', '=', true)
    .where('active', '=', true)
    .where('id', '<>', userId)
    .executeTakeFirstOrThrow();
  if (Number(others.n) === 0) throw new ConflictError('this is the last active admin; make another user admin first');
}

async function lockUser(tx: Tx, id: string): Promise<UserRow> {
  // Serializes concurrent writers of one user; the admin check below must see a stable set of admins.
  await sql`select pg_advisory_xact_lock(hashtext('lakeplane.admins'))`.execute(tx);
  const row = await tx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw new NotFoundError(`user ${id} does not exist`);
  return row;
}

export async function updateUser(platform: Platform, actor: Principal, id: string, body: Static<typeof UpdateUserBody>): Promise<User> {
  const passwordHash = body.password ? await hashPassword(body.password) : undefined;
  const user = await platform.store.db.transaction().execute(async (tx) => {
    const current = await lockUser(tx, id);
    if (current.is_admin && current.active && (body.isAdmin === false || body.active === false)) await assertAnotherAdmin(tx, id);
    if (passwordHash && current.source !== 'local') throw new ConflictError(`user ${current.username} signs in through an identity provider and has no password here`);
    const changed = Object.keys(body).filter((k) => k !== 'password' || passwordHash);
    const row = await withDatabaseErrors(`email ${body.email ?? ''}`, () =>
      tx
        .updateTable('users')
        .set({
          ...(body.email !== undefined ? { email: body.email } : {}),
          ...(body.displayName !== undefined ? { display_name: body.displayName } : {}),
          ...(body.isAdmin !== undefined ? { is_admin: body.isAdmin } : {}),
          ...(body.active !== undefined ? { active: body.active } : {}),
          ...(passwordHash ? { password_hash: passwordHash, failed_logins: 0, locked_until: null } : {}),
          updated_at: new Date(),
          version: current.version + 1,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    if (body.active === false) {
      // A deactivated user's sessions end: refresh tokens are revoked (access tokens fail at the next lookup).
      await tx.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
    }
    await platform.outbox.publish(tx, { type: IamEvents.userUpdated, subject: `users/${id}`, data: { userId: id, username: row.username, source: row.source, changed } });
    return toUser(row, (await groupsOf(tx, [id])).get(id) ?? []);
  });
  platform.authenticator.invalidate();
  platform.logger.info({ actor: actor.name, userId: id }, 'user updated');
  return user;
}

export async function deleteUser(platform: Platform, actor: Principal, id: string): Promise<void> {
  if (actor.kind === 'user' && actor.id === id) throw new ConflictError('you cannot delete yourself; ask another admin');
  await platform.store.db.transaction().execute(async (tx) => {
    const current = await lockUser(tx, id);
    if (current.is_admin && current.active) await assertAnotherAdmin(tx, id);
    await tx.deleteFrom('users').where('id', '=', id).execute();
    await platform.outbox.publish(tx, { type: IamEvents.userDeleted, subject: `users/${id}`, data: { userId: id, username: current.username, source: current.source } });
  });
  platform.authenticator.invalidate();
}
