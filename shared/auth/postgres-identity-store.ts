import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { inTransaction, isUniqueViolation, type Executor } from '../db/index.js';
import { ProvisioningRaceError, type IdentityStore } from './identity-store.js';

/** A write that lost to a concurrent one on a unique index is a race the provisioning retries. */
async function racing<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ProvisioningRaceError('a concurrent request provisioned it first', { cause: err });
    throw err;
  }
}

/** The PostgreSQL identity store (PGlite runs the same SQL). */
export function postgresIdentityStore(db: Executor): IdentityStore {
  const store: IdentityStore = {
    async findUser(id) {
      const row = await db.selectFrom('users').select(['id', 'username', 'is_admin', 'active']).where('id', '=', id).executeTakeFirst();
      return row && { id: row.id, username: row.username, isAdmin: row.is_admin, active: row.active };
    },

    async findServiceAccount(id) {
      const row = await db
        .selectFrom('service_accounts')
        .select(['id', 'name', 'is_admin', 'active', 'max_requests_per_second'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { id: row.id, name: row.name, isAdmin: row.is_admin, active: row.active, maxRequestsPerSecond: row.max_requests_per_second };
    },

    async groupNames(userId) {
      const rows = await db
        .selectFrom('group_members')
        .innerJoin('groups', 'groups.id', 'group_members.group_id')
        .select('groups.name')
        .where('group_members.user_id', '=', userId)
        .orderBy('groups.name')
        .execute();
      return rows.map((r) => r.name);
    },

    async findLogin(username) {
      const row = await db
        .selectFrom('users')
        .select(['id', 'username', 'password_hash', 'active'])
        .where(sql<string>`lower(username)`, '=', username)
        .executeTakeFirst();
      return row && { id: row.id, username: row.username, passwordHash: row.password_hash, active: row.active };
    },

    async recordLogin(userId) {
      await db.updateTable('users').set({ last_login_at: new Date() }).where('id', '=', userId).execute();
    },

    enabledProviders() {
      return db.selectFrom('identity_providers').selectAll().where('enabled', '=', true).execute();
    },

    transaction(work) {
      return inTransaction(db, (tx) => work(tx === db ? store : postgresIdentityStore(tx), tx));
    },

    async findExternalUser(providerId, subject) {
      const row = await db
        .selectFrom('users')
        .select(['id', 'username', 'email', 'is_admin', 'active'])
        .where('idp_id', '=', providerId)
        .where('external_subject', '=', subject)
        .executeTakeFirst();
      return row && { id: row.id, username: row.username, email: row.email, isAdmin: row.is_admin, active: row.active };
    },

    async findUsername(username) {
      const row = await db
        .selectFrom('users')
        .select(['id', 'idp_id', 'external_subject'])
        .where((eb) => eb(eb.fn('lower', ['username']), '=', username))
        .executeTakeFirst();
      return row && { id: row.id, providerId: row.idp_id, subject: row.external_subject };
    },

    async createExternalUser({ username, email, displayName, providerId, subject }) {
      const row = await racing(() =>
        db
          .insertInto('users')
          .values({
            id: randomUUID(),
            username,
            email,
            display_name: displayName,
            source: 'oidc',
            idp_id: providerId,
            external_subject: subject,
            password_hash: null,
            updated_at: new Date(),
            locked_until: null,
            last_login_at: new Date(),
          })
          .returning(['id', 'username', 'email', 'is_admin', 'active'])
          .executeTakeFirstOrThrow(),
      );
      return { id: row.id, username: row.username, email: row.email, isAdmin: row.is_admin, active: row.active };
    },

    async updateEmail(userId, email) {
      await racing(() =>
        db
          .updateTable('users')
          .set({ email, updated_at: new Date(), version: (eb) => eb('version', '+', 1) })
          .where('id', '=', userId)
          .execute(),
      );
    },

    async memberships(userId) {
      const rows = await db
        .selectFrom('group_members')
        .innerJoin('groups', 'groups.id', 'group_members.group_id')
        .select(['groups.id', 'groups.name', 'group_members.source'])
        .where('group_members.user_id', '=', userId)
        .execute();
      return rows.map((r) => ({ groupId: r.id, name: r.name, source: r.source }));
    },

    async removeMembership(groupId, userId) {
      await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
    },

    findGroupByName(name) {
      return db
        .selectFrom('groups')
        .select(['id', 'name'])
        .where((eb) => eb(eb.fn('lower', ['name']), '=', name))
        .executeTakeFirst();
    },

    createProviderGroup(name) {
      return racing(() =>
        db
          .insertInto('groups')
          .values({ id: randomUUID(), name, description: `Created from identity provider claims`, source: 'oidc', updated_at: new Date() })
          .returning(['id', 'name'])
          .executeTakeFirstOrThrow(),
      );
    },

    async addProviderMembership(groupId, userId) {
      await db
        .insertInto('group_members')
        .values({ group_id: groupId, user_id: userId, source: 'oidc' })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .execute();
    },
  };
  return store;
}
