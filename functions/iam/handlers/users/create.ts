import { hashPassword, IamEvents } from '../../../../shared/auth/index.js';
import { json, type Handler } from '../../../../shared/http/index.js';
import type { CreateUserBody } from '../../schemas.js';
import { userStore } from '../../store/user-store.js';

/** The password is hashed before the transaction opens: hashing is slow on purpose, and holds no connection. */
export const createUser: Handler<{ body: typeof CreateUserBody }> = async (ctx) => {
  const { password, ...body } = ctx.body;
  const passwordHash = password ? await hashPassword(password) : null;
  return ctx.transact(async (tx) => {
    const user = await userStore(tx).create({ ...body, passwordHash });
    await ctx.platform.outbox.publish(tx, {
      type: IamEvents.userCreated,
      subject: `users/${user.id}`,
      data: { userId: user.id, username: user.username, source: 'local' },
    });
    ctx.auditResource = `iam/users/${user.id}`;
    return json(201, user, { location: `/api/v1/users/${user.id}` });
  });
};
