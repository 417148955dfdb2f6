import { sql, type Kysely } from 'kysely';

/**
 * IAM, signing keys, audit, the event outbox, dead letters and consumed-event keys. Never edit once released.
 * Timestamps default to millisecond precision: JavaScript dates carry milliseconds, and keyset page tokens built
 * from a (created_at, id) pair must compare exactly with what is stored.
 */
const statements = `
    create table users (
      id uuid primary key,
      username text not null,
      email text,
      display_name text,
      password_hash text,
      is_admin boolean not null default false,
      active boolean not null default true,
      source text not null check (source in ('local', 'oidc')),
      idp_id uuid,
      external_subject text,
      failed_logins integer not null default 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create unique index users_username_key on users (lower(username));
    create unique index users_email_key on users (lower(email)) where email is not null;
    create unique index users_external_key on users (idp_id, external_subject) where idp_id is not null;

    create table groups (
      id uuid primary key,
      name text not null,
      description text,
      source text not null check (source in ('local', 'oidc')),
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create unique index groups_name_key on groups (lower(name));

    create table group_members (
      group_id uuid not null references groups (id) on delete cascade,
      user_id uuid not null references users (id) on delete cascade,
      source text not null check (source in ('local', 'oidc')),
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      primary key (group_id, user_id)
    );
    create index group_members_user_idx on group_members (user_id);

    create table signing_keys (
      kid text primary key,
      alg text not null,
      public_jwk jsonb not null,
      private_jwk jsonb not null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      retired_at timestamptz
    );

    create table service_accounts (
      id uuid primary key,
      name text not null,
      description text,
      client_id text not null unique,
      is_admin boolean not null default false,
      active boolean not null default true,
      created_by uuid references users (id) on delete set null,
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create unique index service_accounts_name_key on service_accounts (lower(name));

    create table service_account_secrets (
      id uuid primary key,
      service_account_id uuid not null references service_accounts (id) on delete cascade,
      secret_hash text not null unique,
      display_prefix text not null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      expires_at timestamptz,
      revoked_at timestamptz
    );
    create index service_account_secrets_sa_idx on service_account_secrets (service_account_id);

    create table refresh_tokens (
      id uuid primary key,
      token_hash text not null unique,
      family_id uuid not null,
      user_id uuid references users (id) on delete cascade,
      service_account_id uuid references service_accounts (id) on delete cascade,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      expires_at timestamptz not null,
      used_at timestamptz,
      revoked_at timestamptz,
      check ((user_id is null) <> (service_account_id is null))
    );
    create index refresh_tokens_family_idx on refresh_tokens (family_id);

    create table personal_access_tokens (
      id uuid primary key,
      user_id uuid not null references users (id) on delete cascade,
      name text not null,
      token_hash text not null unique,
      display_prefix text not null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      expires_at timestamptz,
      last_used_at timestamptz,
      revoked_at timestamptz
    );
    create index personal_access_tokens_user_idx on personal_access_tokens (user_id);

    create table identity_providers (
      id uuid primary key,
      name text not null,
      issuer text not null unique,
      audience text not null,
      username_claim text not null,
      groups_claim text,
      email_claim text,
      enabled boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create unique index identity_providers_name_key on identity_providers (lower(name));

    create table audit_log (
      id bigserial primary key,
      at timestamptz not null default date_trunc('milliseconds', now()),
      request_id text,
      principal_id text,
      principal_name text,
      principal_kind text,
      function text not null,
      action text not null,
      resource text not null,
      outcome text not null check (outcome in ('success', 'denied', 'failure')),
      status integer not null,
      method text,
      detail text
    );
    create index audit_log_at_idx on audit_log (at desc, id desc);
    create index audit_log_principal_idx on audit_log (principal_id, at desc);

    create table outbox (
      id uuid primary key,
      source text not null,
      type text not null,
      subject text,
      time timestamptz not null,
      data jsonb not null,
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default date_trunc('milliseconds', now()),
      last_error text
    );
    create index outbox_due_idx on outbox (next_attempt_at);

    create table dead_letters (
      id uuid primary key,
      source text not null,
      type text not null,
      subject text,
      time timestamptz not null,
      data jsonb not null,
      attempts integer not null,
      last_error text,
      dead_at timestamptz not null default date_trunc('milliseconds', now())
    );

    create table processed_events (
      consumer text not null,
      source text not null,
      event_id text not null,
      type text not null,
      processed_at timestamptz not null default date_trunc('milliseconds', now()),
      primary key (consumer, source, event_id)
    );
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per round trip: PGlite's extended protocol takes no multi-statement strings.
  for (const statement of statements.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}
