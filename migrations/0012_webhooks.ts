import { sql, type Kysely } from 'kysely';

/**
 * Outbound webhooks: subscriptions (a URL, the event types wanted, the signing secret), and one delivery per
 * (subscription, event) with its attempts, so an event reaches each subscriber once however often it arrives here,
 * and every try is on record. The secret is kept as is: it must sign every delivery (Standard Webhooks' HMAC).
 */
const statements = [
  `create table webhook_subscriptions (
    id uuid primary key,
    name text not null,
    url text not null,
    event_types text[] not null,
    secret text not null,
    enabled boolean not null default true,
    disabled_reason text,
    consecutive_failures integer not null default 0,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    created_by text,
    updated_at timestamptz not null default date_trunc('milliseconds', now())
  )`,
  `create unique index webhook_subscriptions_name_key on webhook_subscriptions (lower(name))`,
  `create table webhook_deliveries (
    id bigserial primary key,
    subscription_id uuid not null references webhook_subscriptions (id) on delete cascade,
    event_id text not null,
    event_type text not null,
    event jsonb not null,
    status text not null check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_status integer,
    last_error text,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    delivered_at timestamptz
  )`,
  `create unique index webhook_deliveries_event_key on webhook_deliveries (subscription_id, event_id)`,
  `create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
