import type { Executor } from '../../../shared/db/index.js';

/** An active user of the directory, as a query engine's identity is matched to it. */
export interface ActiveUser {
  id: string;
  isAdmin: boolean;
}

/** The directory's users as the policies see an engine's identity: by user name, active ones only. */
export interface ActiveUserStore {
  /** The active user with exactly this user name, if there is one. */
  find(username: string): Promise<ActiveUser | undefined>;
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function activeUserStore(db: Executor): ActiveUserStore {
  return {
    async find(username) {
      const row = await db.selectFrom('users').select(['id', 'is_admin']).where('username', '=', username).where('active', '=', true).executeTakeFirst();
      return row && { id: row.id, isAdmin: row.is_admin };
    },
  };
}
