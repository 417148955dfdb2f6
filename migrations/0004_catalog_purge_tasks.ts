import type { Kysely } from 'kysely';
import { runStatements } from './statements.js';

/**
 * Purges that are owed. A drop with purgeRequested records what to delete in the drop's own transaction; the files
 * go after it commits, and a purge that fails (storage down, a crash in between) is retried until it succeeds. A
 * warehouse with purges pending cannot be deleted.
 */
const statements = `
    create table catalog_purge_tasks (
      id uuid primary key,
      warehouse_id uuid not null references warehouses (id) on delete restrict,
      object_name text not null,
      locations text[] not null,
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default date_trunc('milliseconds', now()),
      last_error text,
      created_at timestamptz not null default date_trunc('milliseconds', now())
    );
    create index catalog_purge_tasks_due_idx on catalog_purge_tasks (next_attempt_at);
`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, statements);
}
