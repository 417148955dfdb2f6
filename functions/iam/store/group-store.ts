import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { withDatabaseErrors, type Executor, type GroupRow } from '../../../shared/db/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';

export interface Group {
  id: string;
  name: string;
  description: string | null;
  source: string;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Member {
  userId: string;
  username: string;
  source: string;
  addedAt: string;
}

export interface GroupPage {
  items: Group[];
  nextPageToken: string | null;
}

/** The groups and their members, as the iam function keeps them. Names are unique: a clash is a ConflictError. */
export interface GroupStore {
  find(id: string): Promise<Group | undefined>;
  list(filter: { q?: string; pageSize?: number; pageToken?: string }): Promise<GroupPage>;
  create(group: { name: string; description?: string }): Promise<Group>;
  /** The group as it was, locked for the rest of the transaction. */
  lock(id: string): Promise<Group | undefined>;
  update(id: string, change: { name?: string; description?: string | null; version: number }): Promise<void>;
  delete(id: string): Promise<{ name: string } | undefined>;
  members(id: string): Promise<Member[]>;
  exists(table: 'groups' | 'users', id: string): Promise<boolean>;
  /** false when the user was a member already. */
  addMember(groupId: string, userId: string): Promise<boolean>;
  /** The membership's source, or undefined when there was none. */
  removeMember(groupId: string, userId: string): Promise<'local' | 'oidc' | undefined>;
}

function toGroup(row: GroupRow & { member_count: string | number }): Group {
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

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The PostgreSQL store (PGlite runs the same SQL). */
export function groupStore(db: Executor): GroupStore {
  const withCount = () =>
    db
      .selectFrom('groups')
      .selectAll('groups')
      .select((eb) =>
        eb.selectFrom('group_members').select(eb.fn.countAll<string>().as('n')).whereRef('group_members.group_id', '=', 'groups.id').as('member_count'),
      );
  return {
    async find(id) {
      const row = await withCount().where('groups.id', '=', id).executeTakeFirst();
      return row ? toGroup(row as GroupRow & { member_count: string }) : undefined;
    },
    async list({ q, pageSize, pageToken }) {
      const size = pageSize ?? 50;
      const cursor = decodeCursor(pageToken);
      let query = withCount();
      if (q) query = query.where(sql`lower(groups.name)`, 'like', likePattern(q));
      if (cursor) query = query.where((eb) => eb(eb.refTuple('groups.created_at', 'groups.id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = (await query
        .orderBy('groups.created_at')
        .orderBy('groups.id')
        .limit(size + 1)
        .execute()) as Array<GroupRow & { member_count: string }>;
      return pageOf(rows, size, toGroup);
    },
    async create({ name, description }) {
      const row = await withDatabaseErrors(`group ${name}`, () =>
        db
          .insertInto('groups')
          .values({ id: randomUUID(), name, description: description ?? null, source: 'local', updated_at: new Date() })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toGroup({ ...row, member_count: 0 });
    },
    async lock(id) {
      const row = await db.selectFrom('groups').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return row ? toGroup({ ...row, member_count: 0 }) : undefined;
    },
    async update(id, { name, description, version }) {
      await withDatabaseErrors(`group ${name ?? id}`, () =>
        db
          .updateTable('groups')
          .set({ ...(name !== undefined ? { name } : {}), ...(description !== undefined ? { description } : {}), updated_at: new Date(), version })
          .where('id', '=', id)
          .execute(),
      );
    },
    async delete(id) {
      return db.deleteFrom('groups').where('id', '=', id).returning(['name']).executeTakeFirst();
    },
    async members(id) {
      const rows = await db
        .selectFrom('group_members')
        .innerJoin('users', 'users.id', 'group_members.user_id')
        .select(['users.id as userId', 'users.username as username', 'group_members.source as source', 'group_members.created_at as addedAt'])
        .where('group_members.group_id', '=', id)
        .orderBy('users.username')
        .execute();
      return rows.map((r) => ({ ...r, addedAt: r.addedAt.toISOString() }));
    },
    async exists(table, id) {
      return (await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
    async addMember(groupId, userId) {
      const inserted = await db
        .insertInto('group_members')
        .values({ group_id: groupId, user_id: userId, source: 'local' })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .returning('user_id')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    async removeMember(groupId, userId) {
      return (await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).returning('source').executeTakeFirst())
        ?.source;
    },
  };
}
