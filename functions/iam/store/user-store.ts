import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { withDatabaseErrors, type Executor, type UserRow } from '../../../shared/db/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import type { User } from '../schemas.js';

export type { User };

export interface UserPage {
  items: User[];
  nextPageToken: string | null;
}

/** What a change of a user is checked against, read under the lock. */
export interface LockedUser {
  username: string;
  source: 'local' | 'oidc';
  isAdmin: boolean;
  active: boolean;
  version: number;
}

export interface NewUser {
  username: string;
  email?: string | undefined;
  displayName?: string | undefined;
  passwordHash: string | null;
  isAdmin?: boolean | undefined;
  active?: boolean | undefined;
}

export interface UserChange {
  email?: string | null | undefined;
  displayName?: string | null | undefined;
  isAdmin?: boolean | undefined;
  active?: boolean | undefined;
  /** A new password: failed logins and a lockout are forgotten with the old one. */
  passwordHash?: string | undefined;
  version: number;
}

/** The users of the directory, with the groups they are in. A username or email clash is a ConflictError. */
export interface UserStore {
  /** Whether there is any user at all (a first start has none). */
  any(): Promise<boolean>;
  /**
   * Takes the lock a first start creates the admin under, for the rest of the transaction: of two replicas starting
   * together, the second finds the first one's admin.
   */
  lockFirstStart(): Promise<void>;
  find(id: string): Promise<User | undefined>;
  list(filter: {
    q?: string | undefined;
    active?: boolean | undefined;
    groupId?: string | undefined;
    pageSize?: number | undefined;
    pageToken?: string | undefined;
  }): Promise<UserPage>;
  create(user: NewUser): Promise<User>;
  /**
   * The user as it was, locked for the rest of the transaction, after the lock every writer of users takes first:
   * concurrent writers of one user are serialized, and the count of admins stays stable until commit.
   */
  lock(id: string): Promise<LockedUser | undefined>;
  /** Active admins other than this user. */
  otherActiveAdmins(id: string): Promise<number>;
  update(id: string, change: UserChange): Promise<User>;
  /** Ends a user's sessions: its refresh tokens are revoked (access tokens fail at their next lookup). */
  revokeRefreshTokens(id: string): Promise<void>;
  delete(id: string): Promise<void>;
}

function toUser(row: UserRow, groups: Array<{ id: string; name: string }>): User {
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

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The PostgreSQL store (PGlite runs the same SQL). */
export function userStore(db: Executor): UserStore {
  /** The groups of several users in one query. */
  async function groupsOf(userIds: string[]): Promise<Map<string, Array<{ id: string; name: string }>>> {
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
  const withGroups = async (row: UserRow) => toUser(row, (await groupsOf([row.id])).get(row.id) ?? []);

  return {
    async any() {
      return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
    },
    async lockFirstStart() {
      await sql`select pg_advisory_xact_lock(hashtext('lakeplane.bootstrap-admin'))`.execute(db);
    },
    async find(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? withGroups(row) : undefined;
    },
    async list({ q, active, groupId, pageSize, pageToken }) {
      const size = pageSize ?? 50;
      const cursor = decodeCursor(pageToken);
      let query = db.selectFrom('users').selectAll();
      if (q) {
        const like = likePattern(q);
        query = query.where((eb) =>
          eb.or([
            eb(sql`lower(username)`, 'like', like),
            eb(sql`lower(coalesce(email, ''))`, 'like', like),
            eb(sql`lower(coalesce(display_name, ''))`, 'like', like),
          ]),
        );
      }
      if (active !== undefined) query = query.where('active', '=', active);
      if (groupId) query = query.where('id', 'in', (eb) => eb.selectFrom('group_members').select('user_id').where('group_id', '=', groupId));
      if (cursor) query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = await query
        .orderBy('created_at')
        .orderBy('id')
        .limit(size + 1)
        .execute();
      const groups = await groupsOf(rows.slice(0, size).map((r) => r.id));
      return pageOf(rows, size, (r) => toUser(r, groups.get(r.id) ?? []));
    },
    async create(user) {
      const row = await withDatabaseErrors(`user ${user.username}${user.email ? ` or email ${user.email}` : ''}`, () =>
        db
          .insertInto('users')
          .values({
            id: randomUUID(),
            username: user.username,
            email: user.email ?? null,
            display_name: user.displayName ?? null,
            password_hash: user.passwordHash,
            is_admin: user.isAdmin ?? false,
            active: user.active ?? true,
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
      return toUser(row, []);
    },
    async lock(id) {
      await sql`select pg_advisory_xact_lock(hashtext('lakeplane.admins'))`.execute(db);
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return row ? { username: row.username, source: row.source, isAdmin: row.is_admin, active: row.active, version: row.version } : undefined;
    },
    async otherActiveAdmins(id) {
      const others = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('is_admin', '=', true)
        .where('active', '=', true)
        .where('id', '<>', id)
        .executeTakeFirstOrThrow();
      return Number(others.n);
    },
    async update(id, change) {
      const row = await withDatabaseErrors(`email ${change.email ?? ''}`, () =>
        db
          .updateTable('users')
          .set({
            ...(change.email !== undefined ? { email: change.email } : {}),
            ...(change.displayName !== undefined ? { display_name: change.displayName } : {}),
            ...(change.isAdmin !== undefined ? { is_admin: change.isAdmin } : {}),
            ...(change.active !== undefined ? { active: change.active } : {}),
            ...(change.passwordHash ? { password_hash: change.passwordHash, failed_logins: 0, locked_until: null } : {}),
            updated_at: new Date(),
            version: change.version,
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return withGroups(row);
    },
    async revokeRefreshTokens(id) {
      await db.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async delete(id) {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },
  };
}
