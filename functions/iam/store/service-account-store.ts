import { randomUUID } from 'node:crypto';
import { withDatabaseErrors, type Executor, type ServiceAccountRow } from '../../../shared/db/index.js';
import { decodeCursor, pageOf } from '../../../shared/http/index.js';

/** A client secret as it is shown: never the secret, only its first characters. */
export interface ClientSecret {
  id: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface ServiceAccount {
  id: string;
  name: string;
  description: string | null;
  clientId: string;
  isAdmin: boolean;
  active: boolean;
  maxRequestsPerSecond: number | null;
  secrets: ClientSecret[];
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ServiceAccountPage {
  items: ServiceAccount[];
  nextPageToken: string | null;
}

export interface NewSecret {
  /** The hash of the secret, which is not stored. */
  secretHash: string;
  displayPrefix: string;
  expiresAt: Date | null;
}

/** Service accounts and their client secrets. A name clash is a ConflictError. */
export interface ServiceAccountStore {
  find(id: string): Promise<ServiceAccount | undefined>;
  list(page: { pageSize: number; pageToken?: string | undefined }): Promise<ServiceAccountPage>;
  /** A new account with its first secret. */
  create(
    account: {
      name: string;
      description?: string | undefined;
      clientId: string;
      isAdmin?: boolean | undefined;
      maxRequestsPerSecond?: number | undefined;
      createdBy: string | null;
    },
    firstSecret: NewSecret,
  ): Promise<{ serviceAccount: ServiceAccount; secretId: string }>;
  /** The account as it was, locked for the rest of the transaction. */
  lock(id: string): Promise<ServiceAccount | undefined>;
  update(
    id: string,
    change: {
      description?: string | null | undefined;
      isAdmin?: boolean | undefined;
      active?: boolean | undefined;
      maxRequestsPerSecond?: number | null | undefined;
      version: number;
    },
  ): Promise<ServiceAccount>;
  delete(id: string): Promise<{ name: string; clientId: string } | undefined>;
  /** The new secret's id. */
  addSecret(serviceAccountId: string, secret: NewSecret): Promise<string>;
  revokeSecrets(serviceAccountId: string): Promise<void>;
  /** false when the account has no such secret. */
  revokeSecret(serviceAccountId: string, secretId: string): Promise<boolean>;
}

function toServiceAccount(row: ServiceAccountRow, secrets: ClientSecret[]): ServiceAccount {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    clientId: row.client_id,
    isAdmin: row.is_admin,
    active: row.active,
    maxRequestsPerSecond: row.max_requests_per_second,
    secrets,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function serviceAccountStore(db: Executor): ServiceAccountStore {
  /** The secrets of several accounts in one query. */
  async function secretsOf(ids: string[]): Promise<Map<string, ClientSecret[]>> {
    const out = new Map<string, ClientSecret[]>();
    if (ids.length === 0) return out;
    const rows = await db.selectFrom('service_account_secrets').selectAll().where('service_account_id', 'in', ids).orderBy('created_at').execute();
    for (const r of rows) {
      const list = out.get(r.service_account_id) ?? [];
      list.push({
        id: r.id,
        prefix: r.display_prefix,
        createdAt: r.created_at.toISOString(),
        expiresAt: r.expires_at?.toISOString() ?? null,
        revokedAt: r.revoked_at?.toISOString() ?? null,
      });
      out.set(r.service_account_id, list);
    }
    return out;
  }
  async function addSecret(serviceAccountId: string, { secretHash, displayPrefix, expiresAt }: NewSecret): Promise<string> {
    const id = randomUUID();
    await db
      .insertInto('service_account_secrets')
      .values({ id, service_account_id: serviceAccountId, secret_hash: secretHash, display_prefix: displayPrefix, expires_at: expiresAt, revoked_at: null })
      .execute();
    return id;
  }
  const withSecrets = async (row: ServiceAccountRow) => toServiceAccount(row, (await secretsOf([row.id])).get(row.id) ?? []);

  return {
    async find(id) {
      const row = await db.selectFrom('service_accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? withSecrets(row) : undefined;
    },
    async list({ pageSize, pageToken }) {
      const cursor = decodeCursor(pageToken);
      let q = db.selectFrom('service_accounts').selectAll();
      if (cursor) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(new Date(cursor.t), cursor.id)));
      const rows = await q
        .orderBy('created_at')
        .orderBy('id')
        .limit(pageSize + 1)
        .execute();
      const secrets = await secretsOf(rows.slice(0, pageSize).map((r) => r.id));
      return pageOf(rows, pageSize, (r) => toServiceAccount(r, secrets.get(r.id) ?? []));
    },
    async create({ name, description, clientId, isAdmin, maxRequestsPerSecond, createdBy }, firstSecret) {
      const row = await withDatabaseErrors(`service account ${name}`, () =>
        db
          .insertInto('service_accounts')
          .values({
            id: randomUUID(),
            name,
            description: description ?? null,
            client_id: clientId,
            is_admin: isAdmin ?? false,
            max_requests_per_second: maxRequestsPerSecond ?? null,
            created_by: createdBy,
            updated_at: new Date(),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      const secretId = await addSecret(row.id, firstSecret);
      return { serviceAccount: await withSecrets(row), secretId };
    },
    async lock(id) {
      const row = await db.selectFrom('service_accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return row ? toServiceAccount(row, []) : undefined;
    },
    async update(id, { description, isAdmin, active, maxRequestsPerSecond, version }) {
      const row = await db
        .updateTable('service_accounts')
        .set({
          ...(description !== undefined ? { description } : {}),
          ...(isAdmin !== undefined ? { is_admin: isAdmin } : {}),
          ...(active !== undefined ? { active } : {}),
          ...(maxRequestsPerSecond !== undefined ? { max_requests_per_second: maxRequestsPerSecond } : {}),
          updated_at: new Date(),
          version,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return withSecrets(row);
    },
    async delete(id) {
      const row = await db.deleteFrom('service_accounts').where('id', '=', id).returning(['name', 'client_id']).executeTakeFirst();
      return row ? { name: row.name, clientId: row.client_id } : undefined;
    },
    addSecret,
    async revokeSecrets(serviceAccountId) {
      await db
        .updateTable('service_account_secrets')
        .set({ revoked_at: new Date() })
        .where('service_account_id', '=', serviceAccountId)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revokeSecret(serviceAccountId, secretId) {
      const row = await db
        .updateTable('service_account_secrets')
        .set({ revoked_at: new Date() })
        .where('id', '=', secretId)
        .where('service_account_id', '=', serviceAccountId)
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
