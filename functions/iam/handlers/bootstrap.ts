import { hashPassword, IamEvents, newSecret, verifyPassword } from '../../../shared/auth/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import { userStore } from '../store/user-store.js';

/**
 * First start: a signing key and an admin. The admin's password comes from LAKEPLANE_ADMIN_PASSWORD or is generated
 * and printed once; there is never a fixed default. An advisory lock makes two replicas starting together agree.
 * On a later start the variable is not applied (the password is changed through the API, and a restart must not undo
 * that); if it is not the admin's password, one warning says so instead of leaving the operator guessing.
 */
export async function bootstrapIam(platform: Platform): Promise<void> {
  await platform.keys.ensureKey();
  const { config } = platform;
  const generated = config.LAKEPLANE_ADMIN_PASSWORD ? undefined : newSecret('', 24);
  const password = config.LAKEPLANE_ADMIN_PASSWORD ?? (generated as string);
  const created = await platform.store.db.transaction().execute(async (tx) => {
    const users = userStore(tx);
    await users.lockFirstStart();
    if (await users.any()) return false;
    const admin = await users.create({
      username: config.LAKEPLANE_ADMIN_USERNAME,
      displayName: 'Administrator',
      passwordHash: await hashPassword(password),
      isAdmin: true,
    });
    await platform.outbox.publish(tx, {
      type: IamEvents.userCreated,
      subject: `users/${admin.id}`,
      data: { userId: admin.id, username: admin.username, source: 'local' },
    });
    return true;
  });
  if (!created) {
    // Off the start's path: checking the password costs a scrypt, and a function's cold start must not wait for it.
    void warnIfPasswordNotApplied(platform).catch((err: unknown) => platform.logger.warn({ err }, 'could not compare LAKEPLANE_ADMIN_PASSWORD with the admin'));
    return;
  }
  platform.logger.info({ username: config.LAKEPLANE_ADMIN_USERNAME, passwordFrom: generated ? 'generated' : 'LAKEPLANE_ADMIN_PASSWORD' }, 'admin user created');
  if (generated) {
    // Printed once, to the console only (not the JSON log stream): it is not stored anywhere in clear.
    process.stderr.write(
      `\n  Lakeplane admin created.\n  username: ${config.LAKEPLANE_ADMIN_USERNAME}\n  password: ${generated}\n  This password is shown only now. Change it with PATCH /api/v1/users/{id}.\n\n`,
    );
  }
}

async function warnIfPasswordNotApplied(platform: Platform): Promise<void> {
  const { LAKEPLANE_ADMIN_PASSWORD: password, LAKEPLANE_ADMIN_USERNAME: username } = platform.config;
  if (!password) return;
  const admin = await platform.identityStore.findLogin(username);
  if (admin?.passwordHash && (await verifyPassword(password, admin.passwordHash))) {
    platform.logger.debug({ username }, 'LAKEPLANE_ADMIN_PASSWORD is the admin password already');
    return;
  }
  platform.logger.warn(
    { username, adminExists: admin !== undefined },
    admin
      ? `LAKEPLANE_ADMIN_PASSWORD was not applied: the admin user "${username}" already exists, and the variable only sets the password of the first start. Change the password with PATCH /api/v1/users/{id}.`
      : `LAKEPLANE_ADMIN_PASSWORD was not applied: this database already has users, and the variable only creates the admin "${username}" on the first start.`,
  );
}
