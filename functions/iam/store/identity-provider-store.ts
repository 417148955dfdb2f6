import { randomUUID } from 'node:crypto';
import { withDatabaseErrors, type Executor, type IdentityProviderRow } from '../../../shared/db/index.js';

export interface IdentityProvider {
  id: string;
  name: string;
  issuer: string;
  audience: string;
  usernameClaim: string;
  groupsClaim: string | null;
  emailClaim: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface NewIdentityProvider {
  name: string;
  /** Kept exactly as given: `iss` must match it character for character (Entra ID and Auth0 end theirs with '/'). */
  issuer: string;
  audience: string;
  usernameClaim: string;
  groupsClaim: string | null;
  emailClaim: string;
  enabled: boolean;
}

export interface IdentityProviderChange {
  audience?: string | undefined;
  usernameClaim?: string | undefined;
  groupsClaim?: string | null | undefined;
  emailClaim?: string | null | undefined;
  enabled?: boolean | undefined;
  version: number;
}

/** The external OIDC issuers the platform trusts. A name or issuer clash is a ConflictError. */
export interface IdentityProviderStore {
  list(): Promise<IdentityProvider[]>;
  find(id: string): Promise<IdentityProvider | undefined>;
  create(provider: NewIdentityProvider): Promise<IdentityProvider>;
  /** The provider as it was, locked for the rest of the transaction. */
  lock(id: string): Promise<IdentityProvider | undefined>;
  update(id: string, change: IdentityProviderChange): Promise<IdentityProvider>;
  delete(id: string): Promise<IdentityProvider | undefined>;
}

function toProvider(row: IdentityProviderRow): IdentityProvider {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    audience: row.audience,
    usernameClaim: row.username_claim,
    groupsClaim: row.groups_claim,
    emailClaim: row.email_claim,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.version,
  };
}

/** The PostgreSQL store (PGlite runs the same SQL). */
export function identityProviderStore(db: Executor): IdentityProviderStore {
  return {
    async list() {
      return (await db.selectFrom('identity_providers').selectAll().orderBy('name').execute()).map(toProvider);
    },
    async find(id) {
      const row = await db.selectFrom('identity_providers').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toProvider(row) : undefined;
    },
    async create(p) {
      const row = await withDatabaseErrors(`identity provider ${p.name} or issuer ${p.issuer}`, () =>
        db
          .insertInto('identity_providers')
          .values({
            id: randomUUID(),
            name: p.name,
            issuer: p.issuer,
            audience: p.audience,
            username_claim: p.usernameClaim,
            groups_claim: p.groupsClaim,
            email_claim: p.emailClaim,
            enabled: p.enabled,
            updated_at: new Date(),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toProvider(row);
    },
    async lock(id) {
      const row = await db.selectFrom('identity_providers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      return row ? toProvider(row) : undefined;
    },
    async update(id, change) {
      const row = await db
        .updateTable('identity_providers')
        .set({
          ...(change.audience !== undefined ? { audience: change.audience } : {}),
          ...(change.usernameClaim !== undefined ? { username_claim: change.usernameClaim } : {}),
          ...(change.groupsClaim !== undefined ? { groups_claim: change.groupsClaim } : {}),
          ...(change.emailClaim !== undefined ? { email_claim: change.emailClaim } : {}),
          ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
          updated_at: new Date(),
          version: change.version,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProvider(row);
    },
    async delete(id) {
      const row = await db.deleteFrom('identity_providers').where('id', '=', id).returningAll().executeTakeFirst();
      return row ? toProvider(row) : undefined;
    },
  };
}
