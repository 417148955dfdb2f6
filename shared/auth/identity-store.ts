import type { IdentityProviderRow, Tx } from '../db/index.js';

/**
 * Who may act: users, service accounts and their groups, as authentication reads them, and the users and groups an
 * external identity provider brings (created on first sight, memberships made to follow its claims). User names and
 * group names are unique without regard to case.
 */
export interface IdentityStore {
  findUser(id: string): Promise<UserIdentity | undefined>;
  findServiceAccount(id: string): Promise<ServiceAccountIdentity | undefined>;
  /** The names of the user's groups, sorted. */
  groupNames(userId: string): Promise<string[]>;
  /** The user a password login names, by its user name in lower case. */
  findLogin(username: string): Promise<LoginIdentity | undefined>;
  /** Records that the user signed in now. */
  recordLogin(userId: string): Promise<void>;
  /** The identity providers whose tokens are accepted. */
  enabledProviders(): Promise<IdentityProviderRow[]>;

  /**
   * Runs `work` in one transaction, with this store bound to it and the transaction itself (the outbox publishes in
   * it). Inside a transaction already, `work` joins it.
   */
  transaction<T>(work: (store: IdentityStore, tx: Tx) => Promise<T>): Promise<T>;
  /** The user a provider knows by this subject. */
  findExternalUser(providerId: string, subject: string): Promise<ExternalUser | undefined>;
  /** Whoever holds this user name (in lower case), whatever their source. */
  findUsername(username: string): Promise<{ id: string; providerId: string | null; subject: string | null } | undefined>;
  /** Throws ProvisioningRaceError when a concurrent request took the user name or subject first. */
  createExternalUser(user: NewExternalUser): Promise<ExternalUser>;
  /** Throws ProvisioningRaceError when another user holds the address. */
  updateEmail(userId: string, email: string): Promise<void>;
  /** The user's memberships, whoever made them. */
  memberships(userId: string): Promise<Array<{ groupId: string; name: string; source: 'local' | 'oidc' }>>;
  removeMembership(groupId: string, userId: string): Promise<void>;
  /** The group of this name (in lower case). */
  findGroupByName(name: string): Promise<{ id: string; name: string } | undefined>;
  /** A group a provider's claims named first. Throws ProvisioningRaceError when a concurrent request made it first. */
  createProviderGroup(name: string): Promise<{ id: string; name: string }>;
  /** Adds a membership the provider's claims make; one that exists already stays as it is. */
  addProviderMembership(groupId: string, userId: string): Promise<void>;
}

export interface UserIdentity {
  readonly id: string;
  readonly username: string;
  readonly isAdmin: boolean;
  readonly active: boolean;
}

export interface ServiceAccountIdentity {
  readonly id: string;
  readonly name: string;
  readonly isAdmin: boolean;
  readonly active: boolean;
  /** The gateway's ceiling on its requests per second; null: none. */
  readonly maxRequestsPerSecond: number | null;
}

export interface LoginIdentity {
  readonly id: string;
  readonly username: string;
  /** null: the user signs in through an identity provider, never with a password. */
  readonly passwordHash: string | null;
  readonly active: boolean;
}

export interface ExternalUser extends UserIdentity {
  readonly email: string | null;
}

export interface NewExternalUser {
  readonly username: string;
  readonly email: string | null;
  readonly displayName: string | null;
  readonly providerId: string;
  readonly subject: string;
}

/** A concurrent request provisioned the same user or group first; a retry finds it. */
export class ProvisioningRaceError extends Error {}
