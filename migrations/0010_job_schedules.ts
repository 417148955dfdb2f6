import { sql, type Kysely } from 'kysely';

/**
 * Schedule slots: one row per (job, slot) the scheduler has dealt with, whatever it did (started a run, skipped it
 * under the Forbid policy, or let it go as missed after downtime). The primary key is what makes a slot start once
 * however many scheduler replicas and redelivered pings see it. An event-triggered run is unique per (job, event).
 */
const statements = [
  `create table job_schedule_slots (
    job_id uuid not null,
    slot timestamptz not null,
    outcome text not null check (outcome in ('started', 'skipped', 'missed')),
    run_id uuid,
    reason text,
    created_at timestamptz not null default date_trunc('milliseconds', now()),
    primary key (job_id, slot)
  )`,
  `create unique index job_runs_event_trigger_key on job_runs (job_id, trigger_ref) where trigger = 'event'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
