import { hashPassword, IamEvents } from '../../../../shared/auth/index.js';
import { ConflictError, NotFoundError } from '../../../../shared/errors/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { IdParams, UpdateUserBody } from '../../schemas.js';
import { userStore, type LockedUser, type UserStore } from '../../store/user-store.js';

/** The platform must always keep one active admin user: refusing here beats a locked-out installation. */
export async function keepAnAdmin(store: UserStore, id: string, current: LockedUser): Promise<void> {
  if (current.isAdmin && current.active && (await store.otherActiveAdmins(id)) === 0)
    throw new ConflictError('this is the last active admin; make another user admin first');
}

/** The password is hashed before the transaction opens: hashing is slow on purpose, and holds no connection. */
export const updateUser: Handler<{ params: typeof IdParams; body: typeof UpdateUserBody }> = async (ctx) => {
  const { id } = ctx.params;
  const actor = ctx.requirePrincipal();
  const { password, ...change } = ctx.body;
  const passwordHash = password ? await hashPassword(password) : undefined;
  const reply = await ctx.transact(async (tx) => {
    const store = userStore(tx);
    const current = await store.lock(id);
    if (!current) throw new NotFoundError(`user ${id} does not exist`);
    if (change.isAdmin === false || change.active === false) await keepAnAdmin(store, id, current);
    if (passwordHash && current.source !== 'local')
      throw new ConflictError(`user ${current.username} signs in through an identity provider and has no password here`);
    const changed = Object.keys(ctx.body).filter((k) => k !== 'password' || passwordHash);
    const user = await store.update(id, { ...change, passwordHash, version: current.version + 1 });
    // A deactivated user's sessions end.
    if (change.active === false) await store.revokeRefreshTokens(id);
    await ctx.platform.outbox.publish(tx, {
      type: IamEvents.userUpdated,
      subject: `users/${id}`,
      data: { userId: id, username: user.username, source: user.source, changed },
    });
    return json(200, user);
  });
  // Cached principals carry the admin flag and the active state: they are read again.
  ctx.afterCommit(() => ctx.platform.authenticator.invalidate());
  ctx.afterCommit(() => ctx.log.info({ actor: actor.name, userId: id }, 'user updated'));
  return reply;
};
