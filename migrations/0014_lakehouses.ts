import { sql, type Kysely } from 'kysely';

/**
 * Lakehouses: long-running Spark SQL endpoints (HiveServer2 and Spark Connect in one Spark driver). A row holds the
 * desired definition (spec, versioned for If-Match), the state of its workload, and what the running workload was
 * started with (running_spec), so a change that needs a restart shows as "restart required" until the next start.
 * Each start is a new generation with a workload of its own name; status reports carry (generation, sequence), so a
 * report of an older generation, or an older or repeated one of the current, changes nothing. The activity history
 * outlives a deleted lakehouse; its rows are unique per delivered event.
 */
const statements = [
  `create table lakehouses (
    id uuid primary key,
    name text not null,
    owner text not null,
    version integer not null default 1,
    spec jsonb not null,
    state text not null check (state in ('STOPPED', 'STARTING', 'RUNNING', 'STOPPING', 'FAILED', 'DELETING')),
    state_message text,
    state_changed_at timestamptz not null default date_trunc('milliseconds', now()),
    generation integer not null default 0,
    workload_name text,
    workload_state text,
    last_sequence bigint not null default 0,
    running_spec jsonb,
    endpoints jsonb,
    ui_url text,
    log_location text,
    restart_pending boolean not null default false,
    agent_token_hash text,
    agent_reported_at timestamptz,
    last_activity_at timestamptz,
    open_sessions integer not null default 0,
    running_statements integer not null default 0,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    created_by text,
    updated_at timestamptz not null default date_trunc('milliseconds', now()),
    updated_by text
  )`,
  `create unique index lakehouses_name_key on lakehouses (name)`,
  `create index lakehouses_active_idx on lakehouses (state) where state in ('STARTING', 'RUNNING', 'STOPPING', 'DELETING')`,
  `create table lakehouse_activity (
    id bigserial primary key,
    lakehouse_id uuid not null,
    lakehouse_name text not null,
    at timestamptz not null default date_trunc('milliseconds', now()),
    kind text not null check (kind in ('state', 'action', 'change')),
    from_state text,
    to_state text,
    action text,
    actor text,
    message text,
    event_key text
  )`,
  `create unique index lakehouse_activity_event_key on lakehouse_activity (lakehouse_id, event_key) where event_key is not null`,
  `create index lakehouse_activity_idx on lakehouse_activity (lakehouse_id, id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
