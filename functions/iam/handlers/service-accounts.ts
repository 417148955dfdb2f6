import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { hashSecret, IamEvents, newSecret, randomBase62Id, SECRET_PREFIX } from '../../../shared/auth/index.js';
import { withDatabaseErrors, type Executor, type ServiceAccountRow, type Tx } from '../../../shared/db/index.js';
import { NotFoundError } from '../../../shared/errors/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';
import type { Platform } from '../../../shared/platform/index.js';
import type { CreateServiceAccountBody, UpdateServiceAccountBody } from '../schemas.js';

async function secretsOf(db: Executor, ids: string[]) {
  const out = new Map<string, Array<{ id: string; prefix: string; createdAt: string; expiresAt: string | null; revokedAt: string | null }>>();
  if (ids.length === 0) return out;
  const rows = await db.selectFrom('service_account_secrets').selectAll().where('service_account_id', 'in', ids).orderBy('created_at').execute();
  for (const r of rows) {
    const list = out.get(r.service_account_id) ?? [];
    list.push({ id: r.id, prefix: r.display_prefix, createdAt: r.created_at.toISOString(), expiresAt: r.expires_at?.toISOString() ?? null, revokedAt: r.revoked_at?.toISOString() ?? null });
    out.set(r.service_account_id, list);
  }
  return out;
}

function toServiceAccount(row: ServiceAccountRow, secrets: Awaited<ReturnType<typeof secretsOf>>) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    clientId: row.client_id,
    isAdmin: row.is_admin,
    active: row.active,
    secrets: secrets.get(row.id) ?? [],
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

export async function getServiceAccount(db: Executor, id: string) {
  const row = await db.selectFrom('service_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError(`service account ${id} does not exist`);
  return toServiceAccount(row, await secretsOf(db, [id]));
}

export async function listServiceAccounts(db: Executor, pageSize: number, pageToken: string | undefined) {
  const cursor = decodeCursor(pageToken);
  let q = db.selectFrom('service_accounts').selectAll();
  if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
  const rows = await q.orderBy('created_at').orderBy('id').limit(pageSize + 1).execute();
  const secrets = await secretsOf(db, rows.slice(0, pageSize).map((r) => r.id));
  return pageOf(rows, pageSize, (r) => toServiceAccount(r, secrets));
}

async function addSecret(tx: Tx, serviceAccountId: string, expiresInDays: number | undefined) {
  const secret = newSecret(SECRET_PREFIX.clientSecret, 48);
  const id = randomUUID();
  await tx
    .insertInto('service_account_secrets')
    .values({ id, service_account_id: serviceAccountId, secret_hash: hashSecret(secret), display_prefix: secret.slice(0, SECRET_PREFIX.clientSecret.length + 6), expires_at: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null, revoked_at: null })
    .execute();
  return { secret, id };
}

export async function createServiceAccount(platform: Platform, createdBy: string | null, body: Static<typeof CreateServiceAccountBody>) {
  return platform.store.db.transaction().execute(async (tx) => {
    const row = await withDatabaseErrors(`service account ${body.name}`, () =>
      tx
        .insertInto('service_accounts')
        .values({ id: randomUUID(), name: body.name, description: body.description ?? null, client_id: SECRET_PREFIX.clientId + randomBase62Id(20), is_admin: body.isAdmin ?? false, created_by: createdBy, updated_at: new Date() })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    const { secret, id } = await addSecret(tx, row.id, body.secretExpiresInDays);
    await platform.outbox.publish(tx, { type: IamEvents.serviceAccountCreated, subject: `service-accounts/${row.id}`, data: { serviceAccountId: row.id, name: row.name, clientId: row.client_id } });
    return { serviceAccount: toServiceAccount(row, await secretsOf(tx, [row.id])), credentials: { clientId: row.client_id, clientSecret: secret, secretId: id } };
  });
}

export async function updateServiceAccount(platform: Platform, id: string, body: Static<typeof UpdateServiceAccountBody>) {
  const result = await platform.store.db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('service_accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw new NotFoundError(`service account ${id} does not exist`);
    const row = await tx
      .updateTable('service_accounts')
      .set({ ...(body.description !== undefined ? { description: body.description } : {}), ...(body.isAdmin !== undefined ? { is_admin: body.isAdmin } : {}), ...(body.active !== undefined ? { active: body.active } : {}), updated_at: new Date(), version: current.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await platform.outbox.publish(tx, { type: IamEvents.serviceAccountUpdated, subject: `service-accounts/${id}`, data: { serviceAccountId: id, name: row.name, clientId: row.client_id } });
    return toServiceAccount(row, await secretsOf(tx, [id]));
  });
  platform.authenticator.invalidate();
  return result;
}

export async function deleteServiceAccount(platform: Platform, id: string): Promise<void> {
  await platform.store.db.transaction().execute(async (tx) => {
    const row = await tx.deleteFrom('service_accounts').where('id', '=', id).returning(['id', 'name', 'client_id']).executeTakeFirst();
    if (!row) throw new NotFoundError(`service account ${id} does not exist`);
    await platform.outbox.publish(tx, { type: IamEvents.serviceAccountDeleted, subject: `service-accounts/${id}`, data: { serviceAccountId: id, name: row.name, clientId: row.client_id } });
  });
  platform.authenticator.invalidate();
}

/** A new secret; the old ones keep working unless revokeExisting, so clients can move over without downtime. */
export async function rotateSecret(platform: Platform, id: string, revokeExisting: boolean, expiresInDays: number | undefined) {
  return platform.store.db.transaction().execute(async (tx) => {
    const sa = await tx.selectFrom('service_accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!sa) throw new NotFoundError(`service account ${id} does not exist`);
    if (revokeExisting) await tx.updateTable('service_account_secrets').set({ revoked_at: new Date() }).where('service_account_id', '=', id).where('revoked_at', 'is', null).execute();
    const { secret, id: secretId } = await addSecret(tx, id, expiresInDays);
    await platform.outbox.publish(tx, { type: IamEvents.serviceAccountUpdated, subject: `service-accounts/${id}`, data: { serviceAccountId: id, name: sa.name, clientId: sa.client_id } });
    return { clientId: sa.client_id, clientSecret: secret, secretId };
  });
}

export async function revokeSecret(platform: Platform, id: string, secretId: string): Promise<void> {
  const row = await platform.store.db.updateTable('service_account_secrets').set({ revoked_at: new Date() }).where('id', '=', secretId).where('service_account_id', '=', id).returning('id').executeTakeFirst();
  if (!row) throw new NotFoundError(`secret ${secretId} of service account ${id} does not exist`);
}
